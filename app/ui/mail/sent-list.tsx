/** Messages this person sent, with how they were stored and whether they were seen. */
import type { MailService } from '../../peer';
import { clock, useMail, when } from './use-mail';

export function SentList({ service }: { service: MailService }) {
  const { sent } = useMail(service);
  return (
    <section className="card" aria-labelledby="sent-title">
      <h2 id="sent-title">Sent video messages</h2>
      {sent.length === 0 ? (
        <p>You have not sent any video messages yet.</p>
      ) : (
        <ul className="mail-list">
          {sent.map((s) => (
            <li key={s.id} data-message-id={s.id}>
              To <strong>{s.to}</strong>, {when(s.sent)}, {clock(s.durationMs)} long · stored: {s.stored} of {s.fragments} fragments ·{' '}
              <span className={s.seenAt ? 'seen' : 'unseen'}>{s.seenAt ? `seen ${when(s.seenAt)}` : 'not seen yet'}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
