import { useRef, useState } from 'react';
import type { Answer, PermissionGate, PermissionQuestion } from '../permissions';
import { Identicon } from './identicon';
import { JoinQuestionBody, joinHeading } from './join-question';
import { ModalDialog } from './modal-dialog';
import { isInRing } from './reach-words';
import { useNow, useServices, useStore } from './use-app';
import { SCOPE_WANTS } from './words';

function Question({ gate, q, more }: { gate: PermissionGate; q: PermissionQuestion; more: number }) {
  const services = useServices();
  const now = useNow(q.deadline !== null, 500);
  const first = useRef<HTMLButtonElement>(null);
  const [error, setError] = useState<string | null>(null);
  const answered = useRef(false);
  const answer = (a: Answer): void => {
    // Escape after a click (or a second Escape) must not answer twice.
    if (answered.current) return;
    answered.current = true;
    gate
      .answer(q.id, a)
      // The links that asked may have given up while the person read; join now rather than after the back-off.
      .then(() => {
        if (q.kind === 'overlay' && (a === 'allow-once' || a === 'allow-always') && services.overlay && !isInRing(services.overlay.getSnapshot())) services.joinNetwork();
      })
      .catch((e: unknown) => {
        answered.current = false;
        setError((e as Error).message);
      });
  };
  const p = q.peer;
  const who = p.name ?? (p.userFingerprint ? `someone with key ${p.userFingerprint}` : `a peer with key ${p.nodeFingerprint}`);
  const left = q.deadline === null ? null : Math.max(0, Math.ceil((q.deadline - now) / 1000));
  const headingId = `q-${q.id}-title`;
  return (
    <ModalDialog role="alertdialog" labelledBy={headingId} describedBy={`q-${q.id}-body`} onCancel={() => answer('deny')} initialFocus={first}>
        <h2 id={headingId}>{q.kind === 'overlay' ? joinHeading(q) : `Let ${who} connect?`}</h2>
        {q.kind === 'overlay' ? (
          <div id={`q-${q.id}-body`}>
            <JoinQuestionBody q={q} />
            {more > 0 && <p className="hint">{`${more} more question${more > 1 ? 's' : ''} after this`}</p>}
          </div>
        ) : (
        <div id={`q-${q.id}-body`}>
          <div className="who">
            <Identicon hexId={p.userId ?? p.nodeId} label={`Picture of ${who}’s key`} />
            <div>
              <div className="fingerprint" data-testid="question-fingerprint">
                {p.userFingerprint ?? p.nodeFingerprint}
              </div>
              {p.name && <div>Name: {p.name}</div>}
              {p.vouchedBy ? (
                <div className="vouched">✔ Vouched for by “{p.vouchedBy.label}” ({p.vouchedBy.fingerprint}), a root you trust</div>
              ) : (
                <div className="hint">No root you trust vouches for them.</div>
              )}
              {p.certificateNote && <div className="hint">Their certificate: {p.certificateNote}</div>}
            </div>
          </div>
          <p>{`They want to ${SCOPE_WANTS[q.scope]}.`}</p>
          <p className="reveal">Allowing tells them your IP address.</p>
          <p className="hint" aria-live="off">
            {left !== null ? `Refused automatically in ${left} s` : 'Waiting for your answer'}
            {q.waiting > 1 ? ` · ${q.waiting} connections are waiting on this answer` : ''}
            {more > 0 ? ` · ${more} more question${more > 1 ? 's' : ''} after this` : ''}
          </p>
        </div>
        )}
        {error && (
          <p className="errors" role="alert">
            {error}
          </p>
        )}
        <div className="row answers">
          <button type="button" ref={first} onClick={() => answer('allow-once')}>
            Allow once
          </button>
          <button type="button" className="primary" onClick={() => answer('allow-always')}>
            Always allow
          </button>
          <button type="button" onClick={() => answer('deny')}>
            Deny
          </button>
          <button type="button" className="danger" onClick={() => answer('deny-always')}>
            Always deny
          </button>
        </div>
    </ModalDialog>
  );
}

/** The oldest waiting permission question, as a dialog over whatever page is open. */
export function PermissionDialog({ gate }: { gate: PermissionGate }) {
  const questions = useStore(gate.questions);
  const q = questions[0];
  if (!q) return null;
  return <Question key={q.id} gate={gate} q={q} more={questions.length - 1} />;
}
