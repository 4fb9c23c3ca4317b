/** "Mailbox (2 new)": how many messages have not been played yet. */
import type { MailService } from '../../peer';
import { useMail } from './use-mail';

export function MailboxBadge({ service, onOpen }: { service: MailService; onOpen?: () => void }) {
  const { unread } = useMail(service);
  const label = unread === 0 ? 'Mailbox, no new messages' : `Mailbox, ${unread} new message${unread === 1 ? '' : 's'}`;
  return (
    <button type="button" className="mail-badge" aria-label={label} onClick={onOpen}>
      Mailbox{unread > 0 && <span className="badge" aria-hidden="true"> {unread}</span>}
    </button>
  );
}
