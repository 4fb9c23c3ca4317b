import { useId, useState } from 'react';
import { nameProblem } from '../sip';
import { ErrorLine } from './error-line';
import { MailboxBadge, MailboxList, RecordDialog, SentList } from './mail';
import type { PeerMail } from '../peer';
import { useStore } from './use-app';

/** Video mail: the messages left for this person, leaving one for someone, and what was sent. */
export function MailPage({ mailbox }: { mailbox: PeerMail }) {
  const { mail } = useStore(mailbox);
  const id = useId();
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [recordFor, setRecordFor] = useState<string | null>(null);
  if (!mail) {
    return (
      <div className="page">
        <h2 className="page-title">Video mail</h2>
        <p className="hint">Choose your name on the Phone page first: video messages are addressed to names.</p>
      </div>
    );
  }
  return (
    <div className="page">
      <h2 className="page-title">Video mail</h2>
      <MailboxList service={mail} />
      <section className="card" aria-labelledby={`${id}-h`}>
        <h2 id={`${id}-h`}>Leave someone a video message</h2>
        <p className="hint">It is encrypted for them and kept by the network, so they can watch it later even if you close this tab.</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const who = to.trim().toLowerCase();
            const problem = nameProblem(who);
            setError(problem);
            if (!problem) setRecordFor(who);
          }}
        >
          <label htmlFor={id}>Their name</label>
          <div className="row">
            <input id={id} value={to} onChange={(e) => setTo(e.target.value)} autoComplete="off" maxLength={32} />
            <button type="submit">Record a message</button>
          </div>
        </form>
        <ErrorLine text={error} />
      </section>
      <SentList service={mail} />
      {recordFor && <RecordDialog service={mail} to={recordFor} onClose={() => setRecordFor(null)} />}
    </div>
  );
}

/** The mailbox badge in the header, once the person has a name; it opens the Video mail page. */
export function HeaderMailBadge({ mailbox }: { mailbox: PeerMail }) {
  const { mail } = useStore(mailbox);
  return mail ? <MailboxBadge service={mail} onOpen={() => (location.hash = '#/mail')} /> : null;
}
