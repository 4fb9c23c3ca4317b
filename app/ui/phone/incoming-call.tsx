import { useRef } from 'react';
import { ModalDialog } from '../modal-dialog';
import type { CallView, UserAgent } from '../../sip';

/**
 * The ringing dialog: who calls and whether the call is audio or video (read
 * from the caller's offer), then answer or decline. "Answer with video" is
 * offered only when the offer takes video back; otherwise the one answer is
 * sound only, so no camera opens for a call that did not ask for one.
 */
/** Answering shows the call: the Phone page is where it is (and where its controls are). */
function answer(phone: UserAgent, id: string, video: boolean): void {
  phone.answer(id, video);
  if (location.hash !== '#/phone') location.hash = '#/phone';
}

/**
 * `during` names the person this one is in a call with: the ringing call is
 * then a waiting call, and answering it puts that call on hold.
 */
export function IncomingCall({ phone, call, fingerprint, during }: { phone: UserAgent; call: CallView; fingerprint?: string | null; during?: string | undefined }) {
  const first = useRef<HTMLButtonElement>(null);
  const kind = call.video ? 'video' : 'audio';
  return (
    <ModalDialog
      role="alertdialog"
      className="ringing"
      labelledBy={`ring-${call.id}`}
      {...(during ? { describedBy: `ring-hold-${call.id}` } : {})}
      onCancel={() => phone.hangUp(call.id)}
      initialFocus={first}
    >
        <h2 id={`ring-${call.id}`}>
          {during ? `Waiting call from ${call.peer} (${kind})` : `${call.peer} is calling (${kind})`}
        </h2>
        {during && (
          <p id={`ring-hold-${call.id}`} className="hint">
            Answering puts your call with {during} on hold. Declining tells {call.peer} you are busy.
          </p>
        )}
        {fingerprint && <p className="hint">Key fingerprint {fingerprint}</p>}
        <div className="row answers">
          {call.canAnswerWithVideo ? (
            <>
              <button type="button" ref={first} className="primary" onClick={() => answer(phone, call.id, true)}>
                Answer with video
              </button>
              <button type="button" onClick={() => answer(phone, call.id, false)}>
                Answer with sound only
              </button>
            </>
          ) : (
            <button type="button" ref={first} className="primary" onClick={() => answer(phone, call.id, false)}>
              Answer
            </button>
          )}
          <button type="button" className="danger" onClick={() => phone.hangUp(call.id)}>
            Decline
          </button>
        </div>
    </ModalDialog>
  );
}
