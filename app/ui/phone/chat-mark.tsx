import type { ChatMessage } from '../../sip';

/**
 * Where a message stands, as the sender's chat shows it (issue 18): in words
 * a person understands, and as a small icon whose accessible name is those
 * words. "stored" means nobody under the name was online: the text waits in
 * the network, sealed for them, until one of their tabs comes back.
 */
export function markWords(m: Pick<ChatMessage, 'status' | 'error' | 'direction'>, peer: string): string {
  switch (m.status) {
    case 'sending':
      return 'sending…';
    case 'sent':
    case 'delivered':
      return 'delivered';
    case 'stored':
      return `stored for ${peer} — they are offline`;
    case 'read':
      return 'read';
    case 'failed':
      return m.error ? `not delivered: ${m.error}` : 'not delivered';
    case 'received':
      return '';
  }
}

/** The icons: a clock while it waits, one tick when it arrived, two when it was read. */
const ICONS: Record<ChatMessage['status'], string> = { sending: '…', sent: '✓', delivered: '✓', stored: '◷', read: '✓✓', failed: '!', received: '' };

/** A message's mark: the icon (role img, named by the words) and the words themselves (hidden from screen readers, which read the icon's name). */
export function ChatMark({ message, peer }: { message: ChatMessage; peer: string }) {
  const words = markWords(message, peer);
  if (!words) return null;
  return (
    <span className={`chat-mark chat-mark-${message.status}`}>
      <span role="img" aria-label={words} className="chat-mark-icon">
        {ICONS[message.status]}
      </span>{' '}
      <span aria-hidden="true">{words}</span>
    </span>
  );
}

/** Whether the conversation's last message out waits for its recipient, who is offline. */
export function waitsForPeer(messages: readonly ChatMessage[]): boolean {
  const last = [...messages].reverse().find((m) => m.direction === 'out');
  return last?.status === 'stored';
}
