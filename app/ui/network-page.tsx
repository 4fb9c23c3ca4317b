import { fingerprint } from '../identity';
import type { LinkService, OverlayService, PeerState } from '../peer';
import { DhtConsole } from './dht-console';
import { NodeIceCard } from './node-ice-card';
import { BootstrapsCard } from './bootstraps-card';
import { Identicon } from './identicon';
import { RingLegend, RingView, type RingPeer } from './ring-view';
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

/** How a link was made, in plain words (server, overlay or bootstrap signaling). */
const VIA_WORDS = {
  server: 'made through the signaling server',
  overlay: 'made through the overlay',
  bootstrap: 'made through a service peer’s bootstrap',
} as const;

function Ring({ overlay, links, onJoin }: { overlay: OverlayService; links: LinkService; onJoin: () => void }) {
  const ring = useStore(overlay);
  const peers = useStore(links);
  const rtt = new Map(peers.map((p) => [p.nodeId, p.rttMs ?? null]));
  const roles = new Map<string, RingPeer['role']>();
  for (const p of peers) roles.set(p.nodeId, 'known');
  for (const f of ring.fingers) roles.set(f, 'finger');
  for (const s of ring.successors) roles.set(s, 'successor');
  if (ring.predecessor && ring.predecessor !== ring.self) roles.set(ring.predecessor, 'predecessor');
  roles.set(ring.self, 'self');
  const ringPeers: RingPeer[] = [...roles].map(([nodeId, role]) => ({ nodeId, role, rttMs: rtt.get(nodeId) ?? null }));
  return (
    <section className="card" aria-labelledby="ring-heading">
      <h2 id="ring-heading">The ring</h2>
      <p role="status" className="hint" data-testid="ring-status">
        {ring.status}. {ring.successors.length} successor{ring.successors.length === 1 ? '' : 's'}, {ring.fingers.length} finger{ring.fingers.length === 1 ? '' : 's'}, {ring.records} record
        {ring.records === 1 ? '' : 's'} held here.
      </p>
      {ring.refusal && (
        <p role="alert" className="error">
          Calls cannot reach you: {ring.refusal}. Nobody can call you or leave you messages until you let this tab join the network.
        </p>
      )}
      {(!ring.joined || ring.successors.length === 0) && (
        <button type="button" onClick={onJoin}>
          {ring.refusal ? 'Join the network' : 'Try to join now'}
        </button>
      )}
      <RingView peers={ringPeers} lookups={ring.lookups} title={`The ring: this tab and ${ringPeers.length - 1} other peers placed by their IDs`} />
      <RingLegend />
      <dl className="neighbours">
        <dt>Predecessor</dt>
        <dd data-testid="predecessor">{ring.predecessor ?? 'none yet'}</dd>
        <dt>Successors</dt>
        <dd data-testid="successors">{ring.successors.join(' ') || 'none yet'}</dd>
      </dl>
    </section>
  );
}

export function NetworkPage({ links, overlay, onJoin }: { links: LinkService; overlay: OverlayService | null; onJoin: () => void }) {
  const peers = useStore(links);
  return (
    <div className="page">
      <h2 className="page-title">Network</h2>
      {overlay && <Ring overlay={overlay} links={links} onJoin={onJoin} />}
      {overlay && <DhtConsole overlay={overlay} />}
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
                  {p.service && (
                    <span className="peer-kind" data-testid="service-peer-mark" title="An always-on peer run by a server, not a browser tab">
                      service peer
                    </span>
                  )}
                  <span className={`peer-state state-${p.state}`} data-testid="peer-state">
                    {stateWords(p)}
                  </span>
                  {p.state === 'linked' && p.via && (
                    <span className="link-via" data-testid="link-via" data-via={p.via}>
                      {VIA_WORDS[p.via]}
                    </span>
                  )}
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
      <BootstrapsCard />
      <NodeIceCard />
    </div>
  );
}
