import { useState } from 'react';
import { RecordDialog } from '../mail';
import type { PeerMail, CallService } from '../../peer';
import { useServices, useStore } from '../use-app';
import { ClaimName, CallsView } from './calls-view';
import { IceServersCard } from './ice-servers-card';
import { DevicesCard } from '../devices-card';
import { IncomingCall } from './incoming-call';
import type { UserAgent } from '../../sip';

/** The Phone page: choose a name first, then the phone itself. */
export function PhonePage({ service, mailbox, onJoinNetwork }: { service: CallService; mailbox: PeerMail; onJoinNetwork: () => void }) {
  const snap = useStore(service);
  const mail = useStore(mailbox).mail;
  const [recordFor, setRecordFor] = useState<string | null>(null);
  const phone = service.ua;
  const devices = useServices().devices;
  if (snap.status === 'ready' && phone)
    return (
      <>
        <CallsView phone={phone} onLeaveMessage={mail ? setRecordFor : undefined} reach={{ inRing: snap.inRing, refusal: snap.ringRefusal }} onJoinNetwork={onJoinNetwork} />
        <IceServersCard service={service} />
        {devices && <DevicesCard devices={devices} />}
        {mail && recordFor && <RecordDialog service={mail} to={recordFor} onClose={() => setRecordFor(null)} />}
      </>
    );
  return (
    <div className="page">
      <h2 className="page-title">Phone</h2>
      {snap.status === 'starting' && (
        <p role="status" className="hint">
          {snap.name ? `Claiming the name ${snap.name} and registering it on the network…` : 'Starting the phone…'}
        </p>
      )}
      {snap.status === 'failed' && snap.error && (
        <p role="alert" className="error">
          {snap.name ? `You are not reachable as ${snap.name}: ` : ''}
          {snap.error}
        </p>
      )}
      {snap.status !== 'starting' && <ClaimName claim={(name) => service.claim(name)} initial={snap.name ?? ''} />}
    </div>
  );
}

function Ringing({ phone, service }: { phone: UserAgent; service: CallService }) {
  const { calls } = useStore(phone);
  const ringing = calls.find((c) => c.state === 'incoming');
  if (!ringing) return null;
  return <IncomingCall phone={phone} call={ringing} fingerprint={service.fingerprintOf(ringing.peer)} />;
}

/** The ringing dialog, shown over whatever page the person is on. */
export function RingingCalls({ service }: { service: CallService }) {
  useStore(service);
  return service.ua ? <Ringing phone={service.ua} service={service} /> : null;
}
