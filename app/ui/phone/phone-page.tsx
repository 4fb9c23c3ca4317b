import { useState } from 'react';
import { RecordDialog } from '../mail';
import type { PeerMail, CallService, ContactsService } from '../../peer';
import { ContactsSection } from '../home/contacts-section';
import { useStore } from '../use-app';
import { ClaimName, CallsView } from './calls-view';
import { IncomingCall } from './incoming-call';
import { currentCall, type UserAgent } from '../../sip';

/** Home is the phone (issue 18): choose a name first, then the phone itself with the contacts first. */
export function PhonePage({ service, mailbox, contacts, onJoinNetwork }: { service: CallService; mailbox: PeerMail; contacts?: ContactsService | null | undefined; onJoinNetwork: () => void }) {
  const snap = useStore(service);
  const mail = useStore(mailbox).mail;
  const [recordFor, setRecordFor] = useState<string | null>(null);
  const phone = service.ua;
  if (snap.status === 'ready' && phone)
    return (
      <>
        <CallsView
          phone={phone}
          onLeaveMessage={mail ? setRecordFor : undefined}
          reach={{ inRing: snap.inRing, refusal: snap.ringRefusal }}
          onJoinNetwork={onJoinNetwork}
          reads={contacts?.reads}
          contacts={contacts ? (openChat) => <ContactsSection contacts={contacts} actions={{ phone, openChat, onLeaveMessage: mail ? setRecordFor : undefined }} /> : undefined}
        />
        {mail && recordFor && <RecordDialog service={mail} to={recordFor} onClose={() => setRecordFor(null)} />}
      </>
    );
  return (
    <div className="page">
      <h2 className="page-title">Home</h2>
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
      {/* A newcomer (no name yet) claims on the first screen (first-screen.tsx), above this page. */}
      {snap.status !== 'starting' && snap.status !== 'no-name' && <ClaimName claim={(name) => service.claim(name)} initial={snap.name ?? ''} />}
    </div>
  );
}

function Ringing({ phone, service }: { phone: UserAgent; service: CallService }) {
  const { calls } = useStore(phone);
  const ringing = calls.find((c) => c.state === 'incoming');
  if (!ringing) return null;
  return <IncomingCall phone={phone} call={ringing} fingerprint={service.fingerprintOf(ringing.peer)} during={ringing.waiting ? currentCall(calls, ringing.id)?.peer : undefined} />;
}

/** The ringing dialog, shown over whatever page the person is on. */
export function RingingCalls({ service }: { service: CallService }) {
  useStore(service);
  return service.ua ? <Ringing phone={service.ua} service={service} /> : null;
}
