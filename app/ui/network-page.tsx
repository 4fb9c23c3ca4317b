import { fingerprint } from '../identity';
import type { LinkService, PeerState } from './link-service';
import { Identicon } from './identicon';
import { useStore } from './use-app';

function stateWords(p: PeerState): string {
  switch (p.state) {
    case 'online':
      return 'online, not linked';
    case 'connecting':
      return p.detail ? `connecting (${p.detail})` : 'connecting…';
    case 'linked':
      return `linked${p.rttMs != null ? `, ${p.rttMs} ms round trip` : ''}`;
    case 'refused':
      return `refused: ${p.detail ?? ''}`;
    case 'failed':
      return `not linked: ${p.detail ?? ''}`;
  }
}

export function NetworkPage({ links }: { links: LinkService }) {
  const peers = useStore(links);
  return (
    <div className="page">
      <h2 className="page-title">Network</h2>
      <section className="card" aria-labelledby="peers-heading">
        <h2 id="peers-heading">Peers</h2>
        <p className="hint">Tabs that the signaling server lists as online, and this tab’s links to them.</p>
        {peers.length === 0 ? (
          <p className="hint">No other peer is online yet. Open the app in another tab or on another computer.</p>
        ) : (
          <ul className="plain peers" aria-label="Peers">
            {peers.map((p) => {
              const fp = fingerprint(p.nodeId);
              const who = p.name ? `${p.name} (${fp})` : fp;
              return (
                <li key={p.nodeId} data-node-id={p.nodeId}>
                  <Identicon hexId={p.nodeId} size={28} label={`Picture of peer ${fp}`} />
                  <span className="peer-name">{who}</span>
                  <span className={`peer-state state-${p.state}`} data-testid="peer-state">
                    {stateWords(p)}
                  </span>
                  {p.state === 'linked' ? (
                    <button type="button" onClick={() => links.disconnect(p.nodeId)} aria-label={`Disconnect from ${who}`}>
                      Disconnect
                    </button>
                  ) : (
                    <button type="button" disabled={p.state === 'connecting'} onClick={() => void links.connect(p.nodeId)} aria-label={`Connect to ${who}`}>
                      Connect
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
