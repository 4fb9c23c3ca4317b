/**
 * Settings (issue 18): what Home no longer shows. This tab's and the
 * person's identity, the signaling servers, the media (STUN/TURN) servers,
 * and the devices. Permissions and Network keep their own pages.
 */
import type { CallService } from '../peer';
import { IdentityPanel } from './identity-panel';
import { IceServersCard } from './phone/ice-servers-card';
import { SignalingPanel } from './signaling-panel';

export function SettingsPage({ calls, ready }: { calls: CallService | null; ready: boolean }) {
  return (
    <div className="page">
      <h2 className="page-title">Settings</h2>
      <IdentityPanel />
      {ready && <SignalingPanel />}
      {ready && calls && <IceServersCard service={calls} />}
      {/* The devices card (camera, microphone, speaker: issue 19) goes here. */}
    </div>
  );
}
