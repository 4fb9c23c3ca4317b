/**
 * Settings (issue 18): what Home no longer shows. This tab's and the
 * person's identity, the signaling servers, the media (STUN/TURN) servers,
 * and the devices. Permissions and Network keep their own pages.
 */
import type { CallService } from '../peer';
import { IdentityPanel } from './identity-panel';
import { IceServersCard } from './phone/ice-servers-card';
import { SignalingPanel } from './signaling-panel';
import { DevicesCard } from './devices-card';
import { useServices } from './use-app';

export function SettingsPage({ calls, ready }: { calls: CallService | null; ready: boolean }) {
  const devices = useServices().devices;
  return (
    <div className="page">
      <h2 className="page-title">Settings</h2>
      <IdentityPanel />
      {ready && <SignalingPanel />}
      {ready && calls && <IceServersCard service={calls} />}
      {ready && devices && <DevicesCard devices={devices} />}
    </div>
  );
}
