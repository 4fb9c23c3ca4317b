/**
 * Leave a video message: camera preview, a timer up to the limit, play
 * back, record again, send with a progress bar, and "stored: 8 of 8
 * fragments" when it is safely in the network.
 */
import { useContext, useEffect, useRef, useState } from 'react';
import { ServicesContext } from '../use-app';
import { DEFAULT_MAX_DURATION_MS, MediaRecorderRecorder, type Recorder, type Recording, type SendProgress } from '../../mail';
import type { MailService } from '../../peer';
import { ErrorLine } from '../error-line';
import { ModalDialog } from '../modal-dialog';
import { clock } from './use-mail';

type Phase = 'ready' | 'recording' | 'recorded' | 'sending' | 'sent';

export interface RecordDialogProps {
  service: MailService;
  /** The recipient's name. */
  to: string;
  onClose: () => void;
  maxDurationMs?: number;
  recorder?: Recorder;
}

export function RecordDialog({ service, to, onClose, maxDurationMs = DEFAULT_MAX_DURATION_MS, recorder }: RecordDialogProps) {
  const rec = useRef<Recorder>(recorder ?? new MediaRecorderRecorder());
  const preview = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  // The person's chosen camera and microphone (the devices card), else the defaults.
  const devices = useContext(ServicesContext)?.devices ?? null;
  const [phase, setPhase] = useState<Phase>('ready');
  const [elapsed, setElapsed] = useState(0);
  const [recording, setRecording] = useState<Recording | null>(null);
  const [playback, setPlayback] = useState<string | null>(null);
  const [progress, setProgress] = useState<SendProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const title = useRef<HTMLHeadingElement>(null);
  // Each step's main button replaces the one just pressed; focus follows it instead of dropping to the page.
  const action = useRef<HTMLButtonElement>(null);
  const firstPhase = useRef(true);
  useEffect(() => {
    if (firstPhase.current) {
      firstPhase.current = false;
      return;
    }
    const a = action.current;
    (a && !a.disabled ? a : title.current)?.focus();
  }, [phase]);

  useEffect(() => {
    let s: MediaStream | null = null;
    let gone = false;
    (devices ? devices.openStream(true) : (navigator.mediaDevices?.getUserMedia({ video: true, audio: true }) ?? Promise.reject(new Error('this browser gives this page no camera'))))
      .then((got) => {
        if (gone) return got.getTracks().forEach((t) => t.stop());
        s = got;
        setStream(got);
      })
      .catch((e: unknown) => setError(`The camera could not be opened: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      gone = true;
      s?.getTracks().forEach((t) => t.stop());
    };
  }, [devices]);

  useEffect(() => {
    if (preview.current && stream) preview.current.srcObject = stream;
  }, [stream, phase]);

  useEffect(() => {
    if (phase !== 'recording') return;
    const started = Date.now();
    const t = setInterval(() => setElapsed(Date.now() - started), 250);
    return () => clearInterval(t);
  }, [phase]);

  useEffect(() => () => void (playback && URL.revokeObjectURL(playback)), [playback]);

  const start = (): void => {
    setError(null);
    setElapsed(0);
    setPhase('recording');
    rec.current.start(stream, maxDurationMs).then(
      (r) => {
        setRecording(r);
        setPlayback(URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: r.type })));
        setPhase('recorded');
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        setPhase('ready');
      },
    );
  };

  const send = async (): Promise<void> => {
    if (!recording) return;
    setPhase('sending');
    setError(null);
    try {
      await service.send(to, recording, setProgress);
      setPhase('sent');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setPhase('recorded');
    }
  };

  const stepWords: Record<SendProgress['phase'], string> = { encrypting: 'Encrypting…', coding: 'Preparing fragments…', storing: 'Storing fragments…', announcing: 'Putting it in the mailbox…', done: 'Delivered.' };
  return (
    <ModalDialog className="record-dialog" labelledBy="record-title" onCancel={() => phase !== 'sending' && onClose()} initialFocus={title}>
      <h2 id="record-title" ref={title} tabIndex={-1}>Leave a video message for {to}</h2>
      {(phase === 'ready' || phase === 'recording') && <video ref={preview} className="mail-video" autoPlay muted playsInline aria-label="Camera preview" />}
      {phase === 'recording' && (
        <p role="timer" aria-live="off">
          Recording {clock(elapsed)} of {clock(maxDurationMs)}
        </p>
      )}
      {playback && (phase === 'recorded' || phase === 'sending') && <video className="mail-video" src={playback} controls aria-label="Your recording" />}
      {progress && (phase === 'sending' || phase === 'sent') && (
        <div role="status">
          <p>{stepWords[progress.phase]}</p>
          <progress max={Math.max(1, progress.total)} value={progress.stored} aria-label="Sending progress" />
          {progress.total > 0 && (
            <p>
              stored: {progress.stored} of {progress.total} fragments
            </p>
          )}
        </div>
      )}
      {phase === 'sent' && <p>The message is stored in the network; you can close this tab.</p>}
      <ErrorLine text={error} />
      <div className="row">
        {phase === 'ready' && (
          <button type="button" ref={action} onClick={start} disabled={!stream}>
            Start recording
          </button>
        )}
        {phase === 'recording' && (
          <button type="button" ref={action} onClick={() => rec.current.stop()}>
            Stop recording
          </button>
        )}
        {phase === 'recorded' && (
          <>
            <button type="button" ref={action} onClick={() => void send()}>
              Send
            </button>
            <button type="button" onClick={start} disabled={!stream}>
              Record again
            </button>
          </>
        )}
        <button type="button" ref={phase === 'sent' ? action : undefined} onClick={onClose} disabled={phase === 'sending'}>
          {phase === 'sent' ? 'Close' : 'Cancel'}
        </button>
      </div>
    </ModalDialog>
  );
}
