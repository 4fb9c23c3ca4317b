import { useState } from 'react';
import { RecordDialog } from '../mail';
import type { PeerMail, PhoneService } from '../../peer';
import { useStore } from '../use-app';
import { ClaimName, PhonePage } from './phone-page';
import { IceServersCard } from './ice-servers-card';
import { IncomingCall } from './incoming-call';
import type { Phone } from '../../sip';

/** The Phone page: choose a name first, then the phone itself. */
export function PhoneScreen({ service, mailbox, onJoinNetwork }: { service: PhoneService; mailbox: PeerMail; onJoinNetwork: () => void }) {
  const snap = useStore(service);
  const mail = useStore(mailbox).mail;
  const [recordFor, setRecordFor] = useState<string | null>(null);
  const phone = service.phone;
  if (snap.status === 'ready' && phone)
    return (
      <>
        <PhonePage phone={phone} onLeaveMessage={mail ? setRecordFor : undefined} reach={{ inRing: snap.inRing, refusal: snap.ringRefusal }} onJoinNetwork={onJoinNetwork} />
        <IceServersCard service={service} />
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

function Ringing({ phone, service }: { phone: Phone; service: PhoneService }) {
  const { calls } = useStore(phone);
  const ringing = calls.find((c) => c.state === 'incoming');
  if (!ringing) return null;
  return <IncomingCall phone={phone} call={ringing} fingerprint={service.fingerprintOf(ringing.peer)} />;
}

/** The ringing dialog, shown over whatever page the person is on. */
export function RingingCalls({ service }: { service: PhoneService }) {
  useStore(service);
  return service.phone ? <Ringing phone={service.phone} service={service} /> : null;
}
