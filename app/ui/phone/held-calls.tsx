import { useEffect, useRef } from 'react';
import type { CallView, UserAgent } from '../../sip';

/**
 * The calls this person put on hold, one line each with Resume and End
 * (call waiting, issue 19). Resuming a call holds the one in progress, so
 * the microphone is on one call at a time.
 */
export function HeldCalls({ phone, calls }: { phone: UserAgent; calls: readonly CallView[] }) {
  if (calls.length === 0) return null;
  return (
    <ul className="plain held-calls" aria-label="Calls on hold">
      {calls.map((c) => (
        <HeldCallLine key={c.id} phone={phone} call={c} />
      ))}
    </ul>
  );
}

function HeldCallLine({ phone, call }: { phone: UserAgent; call: CallView }) {
  const resume = useRef<HTMLButtonElement>(null);
  // Holding the only call removes its panel, and focus with it: it comes here, to Resume, instead of the page's body.
  useEffect(() => {
    const active = document.activeElement;
    if (!active || active === document.body) resume.current?.focus();
  }, []);
  return (
    <li className="held-call">
      <span className="held-who">
        <strong>{call.peer}</strong> <span className="hint">· {call.heldByPeer ? `on hold (${call.peer} put you on hold too)` : 'on hold'}</span>
      </span>
      <span className="row">
        {/* The visible word starts the accessible name (WCAG 2.5.3). */}
        <button type="button" ref={resume} className="primary" aria-label={`Resume the call with ${call.peer}`} onClick={() => void phone.resume(call.id)}>
          Resume
        </button>
        <button type="button" className="danger" aria-label={`End the call with ${call.peer}`} onClick={() => phone.hangUp(call.id)}>
          End
        </button>
      </span>
    </li>
  );
}
