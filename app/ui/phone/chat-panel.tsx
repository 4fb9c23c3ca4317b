import { useEffect, useId, useRef, useState } from 'react';
import { chatLengthProblem, type ChatMessage, type UserAgent } from '../../sip';
import { ErrorLine } from '../error-line';
import { useStore } from '../use-app';
import { ChatMark, waitsForPeer } from './chat-mark';

function time(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/**
 * One conversation: its history (kept across reloads) and a box to write in.
 * `focusRequest` changes when the person opens the conversation; its field then takes focus, so they can type and press Enter.
 */
export function ChatPanel({ phone, peer, focusRequest = 0 }: { phone: UserAgent; peer: string; focusRequest?: number }) {
  const { chatVersion } = useStore(phone);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const fieldId = useId();
  const lengthId = useId();
  // Counted in bytes as the message will be; no maxLength, which counts UTF-16 units and cuts a paste without a word.
  const tooLong = chatLengthProblem(draft.trim());
  const listRef = useRef<HTMLOListElement>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusRequest > 0) field.current?.focus();
  }, [focusRequest, peer]);
  useEffect(() => {
    let live = true;
    void phone.chat.load(peer).then((m) => live && setMessages(m));
    return () => {
      live = false;
    };
  }, [phone, peer, chatVersion]);
  useEffect(() => {
    listRef.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [messages.length]);
  // What is on screen in a visible tab is read: its senders' stored texts get their "read" mark (app/peer offline-texts.ts).
  useEffect(() => {
    const markRead = (): void => {
      if (document.visibilityState === 'visible' && messages.some((m) => m.direction === 'in' && m.readAt === undefined)) void phone.chat.markRead(peer, Date.now());
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [phone, peer, messages]);
  const send = (): void => {
    setError(null);
    phone.sendMessage(peer, draft).then(
      (m) => {
        if (m.status === 'failed') setError(`Not delivered: ${m.error ?? 'unknown reason'}`);
      },
      (e: unknown) => setError((e as Error).message),
    );
    setDraft('');
  };
  return (
    <section className="card chat" aria-labelledby={`chat-${peer}`}>
      <h2 id={`chat-${peer}`}>Messages with {peer}</h2>
      <ol className="messages" ref={listRef} aria-label={`Messages with ${peer}`}>
        {messages.map((m) => (
          <li key={m.id} className={`msg msg-${m.direction}`}>
            <span className="msg-text">{m.text}</span>
            <span className="msg-meta">
              {time(m.at)} <ChatMark message={m} peer={peer} />
            </span>
          </li>
        ))}
      </ol>
      {waitsForPeer(messages) && (
        <p className="chat-waits" role="status">
          {peer} is offline. What you write waits in the network, sealed for {peer}, and arrives when {peer} comes back (it is kept for 30 days).
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.trim() && !tooLong) send();
        }}
      >
        <label htmlFor={fieldId}>Message to {peer}</label>
        <div className="row">
          <input
            ref={field}
            id={fieldId}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            autoComplete="off"
            aria-invalid={tooLong !== null}
            aria-describedby={tooLong ? lengthId : undefined}
          />
          <button type="submit" disabled={!draft.trim() || tooLong !== null}>
            Send
          </button>
        </div>
        <p id={lengthId} role="status" className={tooLong ? 'errors' : undefined}>
          {tooLong}
        </p>
      </form>
      <ErrorLine text={error} />
    </section>
  );
}
