import { useEffect, useRef } from 'react';
import type { CallView, Phone } from '../../sip';

/** The ringing dialog: who calls, and answer with video, answer with sound only, or decline. */
export function IncomingCall({ phone, call, fingerprint }: { phone: Phone; call: CallView; fingerprint?: string | null }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), [call.id]);
  return (
    <div className="modal-backdrop">
      <div
        className="modal ringing"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`ring-${call.id}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') phone.hangUp(call.id);
        }}
      >
        <h2 id={`ring-${call.id}`}>
          {call.peer} is calling{call.video ? ' (video)' : ''}
        </h2>
        {fingerprint && <p className="hint">Key fingerprint {fingerprint}</p>}
        <div className="row answers">
          <button type="button" ref={first} className="primary" onClick={() => phone.answer(call.id, true)}>
            Answer with video
          </button>
          <button type="button" onClick={() => phone.answer(call.id, false)}>
            Answer with sound only
          </button>
          <button type="button" className="danger" onClick={() => phone.hangUp(call.id)}>
            Decline
          </button>
        </div>
      </div>
    </div>
  );
}
