/**
 * Camera, microphone and speaker: the person's choice (remembered in the
 * profile), a camera test, and what the browser cannot do in plain words.
 * Rendered on the Phone page for now; it takes only the DeviceChoice, so it
 * can move to a Settings page as it is.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { DeviceChoice, DeviceInfo, DeviceKind } from '../peer';
import { ErrorLine } from './error-line';
import { useStore } from './use-app';

const KIND_LABEL: Record<DeviceKind, string> = { camera: 'Camera', microphone: 'Microphone', speaker: 'Speaker' };

/** A device's name as the menu shows it; the browser hides names until camera or microphone is allowed. */
export function deviceName(d: DeviceInfo, kind: DeviceKind, i: number): string {
  return d.label || `${KIND_LABEL[kind]} ${i + 1}`;
}

/** One device menu: the browser's default first, then each device the browser lists. */
export function DeviceSelect({
  kind,
  label,
  devices,
  value,
  onChoose,
  disabled,
}: {
  kind: DeviceKind;
  label: string;
  devices: readonly DeviceInfo[];
  value: string | null;
  onChoose: (deviceId: string | null) => void;
  disabled?: boolean;
}) {
  const id = useId();
  // Chromium lists its "default" entry as a device too; the first option already stands for it.
  const listed = devices.filter((d) => d.deviceId !== '' && d.deviceId !== 'default');
  return (
    <div className="device-select">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} disabled={disabled} onChange={(e) => onChoose(e.target.value === '' ? null : e.target.value)}>
        <option value="">The system’s default</option>
        {listed.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {deviceName(d, kind, i)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The chosen camera, live, until the person stops it (or the card goes). */
function CameraTest({ devices, onError }: { devices: DeviceChoice; onError: (words: string | null) => void }) {
  const { inUse } = useStore(devices);
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    let track: MediaStreamTrack | null = null;
    let gone = false;
    devices.openTrack('camera').then(
      (t) => {
        if (gone) return t.stop();
        track = t;
        if (ref.current) ref.current.srcObject = new MediaStream([t]);
        onError(null);
      },
      (e: unknown) => onError(`The camera could not be opened: ${e instanceof Error ? e.message : String(e)}`),
    );
    return () => {
      gone = true;
      track?.stop();
    };
    // A new camera chosen while testing shows at once.
  }, [devices, inUse.camera, onError]);
  return <video ref={ref} className="device-preview" autoPlay muted playsInline aria-label="Camera test" />;
}

/**
 * The devices card: camera, microphone and speaker menus, "Test camera",
 * and notices (a chosen device that is not connected, a browser that cannot
 * choose a speaker).
 */
export function DevicesCard({ devices }: { devices: DeviceChoice }) {
  const snap = useStore(devices);
  const id = useId();
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = (kind: DeviceKind) => (deviceId: string | null) => {
    setError(null);
    devices.choose(kind, deviceId).catch((e: unknown) => setError(`That ${kind} could not be chosen: ${e instanceof Error ? e.message : String(e)}`));
  };
  return (
    <section className="card devices" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Camera, microphone and speaker</h2>
      {!snap.supported ? (
        <p className="hint">This browser gives this page no access to cameras or microphones (it needs a secure connection, https).</p>
      ) : (
        <>
          <p className="hint">Calls and video messages use these; your choice is remembered in this browser.</p>
          {snap.ready && !snap.labelled && (
            <p className="hint">
              The browser shows your devices’ names once you allow the camera and microphone.{' '}
              <button type="button" onClick={() => void devices.askForNames().catch(() => setError('The browser did not allow the camera or microphone.'))}>
                Allow and show their names
              </button>
            </p>
          )}
          <div className="device-selects">
            <DeviceSelect kind="camera" label="Camera" devices={snap.available.camera} value={snap.inUse.camera} onChoose={choose('camera')} />
            <DeviceSelect kind="microphone" label="Microphone" devices={snap.available.microphone} value={snap.inUse.microphone} onChoose={choose('microphone')} />
            {snap.speakerSupported ? (
              <DeviceSelect kind="speaker" label="Speaker" devices={snap.available.speaker} value={snap.inUse.speaker} onChoose={choose('speaker')} />
            ) : (
              <p className="hint">This browser cannot choose a speaker: sound plays on your system’s default speaker; change it in the system’s sound settings.</p>
            )}
          </div>
          {snap.notices.length > 0 && (
            <ul role="status" className="plain device-notices">
              {snap.notices.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <div className="row">
            <button type="button" aria-pressed={testing} onClick={() => setTesting((t) => !t)}>
              {testing ? 'Stop the camera test' : 'Test camera'}
            </button>
          </div>
          {testing && <CameraTest devices={devices} onError={setError} />}
          <ErrorLine text={error} />
        </>
      )}
    </section>
  );
}
