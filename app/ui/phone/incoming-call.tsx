import { useEffect, useRef } from 'react';
import type { CallView, UserAgent } from '../../sip';

/**
 * The ringing dialog: who calls and whether the call is audio or video (read
 * from the caller's offer), then answer or decline. "Answer with video" is
 * offered only when the offer takes video back; otherwise the one answer is
 * sound only, so no camera opens for a call that did not ask for one.
 */
export function IncomingCall({ phone, call, fingerprint }: { phone: UserAgent; call: CallView; fingerprint?: string | null }) {
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
          {call.peer} is calling ({call.video ? 'video' : 'audio'})
        </h2>
        {fingerprint && <p className="hint">Key fingerprint {fingerprint}</p>}
        <div className="row answers">
          {call.canAnswerWithVideo ? (
            <>
              <button type="button" ref={first} className="primary" onClick={() => phone.answer(call.id, true)}>
                Answer with video
              </button>
              <button type="button" onClick={() => phone.answer(call.id, false)}>
                Answer with sound only
              </button>
            </>
          ) : (
            <button type="button" ref={first} className="primary" onClick={() => phone.answer(call.id, false)}>
              Answer
            </button>
          )}
          <button type="button" className="danger" onClick={() => phone.hangUp(call.id)}>
            Decline
          </button>
        </div>
      </div>
    </div>
  );
}
