import { useEffect, useRef, type ReactNode } from 'react';
import { mayLeaveMessage, type CallView, type UserAgent } from '../../sip';
import { useNow } from '../use-app';
import { QualityGraph } from './quality-graph';
import { useCallStats } from './use-call-stats';
import { CallDevices } from './call-devices';
import { useSpeaker } from './use-speaker';
import { useTrackStream } from './track-stream';

function Video({ stream, muted, label }: { stream: MediaStream | null; muted: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useSpeaker(ref);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

/** The far side's sound in an audio call: no picture to show, so no video element. */
function Sound({ stream, label }: { stream: MediaStream | null; label: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useSpeaker(ref);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay aria-label={label} />;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const STATE_WORDS: Record<CallView['state'], string> = {
  calling: 'Calling…',
  ringing: 'Ringing…',
  incoming: 'Incoming call',
  active: 'In call',
  ended: 'Call ended',
};

/** What the status line says of an answered call: in call, or put on hold by the far side. */
function activeWords(call: CallView): string {
  return call.heldByPeer ? `${call.peer} put you on hold` : STATE_WORDS.active;
}

/**
 * One call: who, its state and duration, the video, the controls and the
 * quality graph. `children` (the calls on hold) show at its top, so they stay
 * in sight when the call fills a phone's screen.
 */
export function CallPanel({ phone, call, onLeaveMessage, children }: { phone: UserAgent; call: CallView; onLeaveMessage?: ((peer: string) => void) | undefined; children?: ReactNode }) {
  const now = useNow(call.state === 'active', 1000);
  const pc = call.state === 'active' ? phone.connection(call.id) : null;
  const samples = useCallStats(pc);
  const remote = useTrackStream(pc, 'remote');
  const local = useTrackStream(pc, 'local');
  // A call shows when this person dials or answers it: focus moves to it, so Hang up is one Tab away.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (call.state !== 'ended') panel.current?.focus();
    // Once per call, when it first shows.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [call.id]);
  return (
    <section ref={panel} tabIndex={-1} className="card call" aria-labelledby={`call-${call.id}`} data-call-state={call.state}>
      {children}
      <h2 id={`call-${call.id}`}>
        {call.direction === 'out' ? `Call to ${call.peer}` : `Call from ${call.peer}`}
      </h2>
      <p className="hint call-kind">{call.video ? 'Video call' : 'Audio call'}</p>
      <p role="status" className="call-status">
        {call.state === 'ended' ? call.outcome : call.state === 'active' ? activeWords(call) : STATE_WORDS[call.state]}
        {call.state === 'active' && call.answeredAt !== null && <span className="duration"> · {duration(now - call.answeredAt)}</span>}
      </p>
      {call.state === 'active' && (
        <div className="videos">
          {call.video ? <Video stream={remote} muted={false} label={`Video from ${call.peer}`} /> : <Sound stream={remote} label={`Sound from ${call.peer}`} />}
          {call.camera && <Video stream={local} muted label="Your camera" />}
        </div>
      )}
      {call.state !== 'ended' && (
        // Hang up first: one Tab from the call, which takes focus when it shows.
        <div className="row call-controls">
          <button type="button" className="danger" onClick={() => phone.hangUp(call.id)}>
            {call.state === 'active' ? 'Hang up' : 'Cancel call'}
          </button>
          {call.state === 'active' && (
            <>
              <button type="button" aria-pressed={call.muted} onClick={() => phone.setMuted(call.id, !call.muted)}>
                {call.muted ? 'Unmute' : 'Mute'}
              </button>
              {call.camera && (
                <button type="button" aria-pressed={call.cameraOff} onClick={() => phone.setCameraOff(call.id, !call.cameraOff)}>
                  {call.cameraOff ? 'Camera on' : 'Camera off'}
                </button>
              )}
              <button type="button" onClick={() => void phone.hold(call.id)}>
                Hold
              </button>
            </>
          )}
        </div>
      )}
      {call.state !== 'ended' && <CallDevices phone={phone} call={call} />}
      {call.state === 'ended' && call.direction === 'out' && call.answeredAt === null && onLeaveMessage && mayLeaveMessage(call.outcomeCode) && (
        <div className="row">
          <button type="button" className="primary" onClick={() => onLeaveMessage(call.peer)}>
            Leave {call.peer} a video message
          </button>
        </div>
      )}
      {call.state === 'active' && <QualityGraph samples={samples} />}
    </section>
  );
}
