/**
 * The devices of a call in progress: your own camera while the call rings
 * (a preview: what the far side will see), and switching camera or
 * microphone mid-call without a new offer (CallService.switchDevice).
 */
import { useContext, useEffect, useRef, useState } from 'react';
import type { CallView, UserAgent } from '../../sip';
import { ErrorLine } from '../error-line';
import { ServicesContext, useNow, useStore } from '../use-app';
import { DeviceSelect } from '../devices-card';
import type { CallService, DeviceChoice } from '../../peer';

/** The camera track this call sends (or will send once answered), if any. */
function sentCamera(phone: UserAgent, id: string): MediaStreamTrack | null {
  return phone.connection(id)?.getSenders().find((s) => s.track?.kind === 'video')?.track ?? null;
}

/** Your camera as the far side will see it, while the call is still ringing. */
function RingingPreview({ phone, call }: { phone: UserAgent; call: CallView }) {
  // The camera opens a moment after dialling (JsSIP's getUserMedia); look again until it is there.
  useNow(true, 500);
  const track = sentCamera(phone, call.id);
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const current = (v.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null;
    if (current !== track) v.srcObject = track ? new MediaStream([track]) : null;
  }, [track]);
  return <video ref={ref} className="device-preview" autoPlay muted playsInline aria-label="Your camera preview" />;
}

function Switches({ phone, call, service, devices }: { phone: UserAgent; call: CallView; service: CallService; devices: DeviceChoice }) {
  const snap = useStore(devices);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ringingOut = call.direction === 'out' && (call.state === 'calling' || call.state === 'ringing');
  const sendsCamera = call.camera;
  const choose = (kind: 'camera' | 'microphone') => (deviceId: string | null) => {
    setBusy(true);
    setError(null);
    service.switchDevice(call.id, kind, deviceId).then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(`The ${kind} could not be switched, so the call goes on with the one it had: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  };
  if (call.state !== 'active' && !ringingOut) return null;
  return (
    <div className="call-devices">
      {ringingOut && sendsCamera && <RingingPreview phone={phone} call={call} />}
      <div className="device-selects">
        {sendsCamera && <DeviceSelect kind="camera" label="Camera in this call" devices={snap.available.camera} value={snap.inUse.camera} onChoose={choose('camera')} disabled={busy} />}
        <DeviceSelect kind="microphone" label="Microphone in this call" devices={snap.available.microphone} value={snap.inUse.microphone} onChoose={choose('microphone')} disabled={busy} />
      </div>
      <ErrorLine text={error} />
    </div>
  );
}

/** The call's device menus (and its ringing preview); nothing outside an app with a phone and devices. */
export function CallDevices({ phone, call }: { phone: UserAgent; call: CallView }) {
  const services = useContext(ServicesContext);
  const service = services?.calls;
  const devices = services?.devices;
  if (!service || !devices) return null;
  return <Switches phone={phone} call={call} service={service} devices={devices} />;
}
