import type { NodeIceSnapshot } from '../peer';
import { useAppSnapshot } from './use-app';

/** The node's relay or ICE list has a problem: said on every page, because a call that needs the relay would fail without a word. */
export function NodeIceNotice() {
  const { ice } = useAppSnapshot();
  const problems = [ice.problem, ice.relayProblem].filter((p): p is string => p !== null);
  if (problems.length === 0) return null;
  return (
    <div className="warnings" role="alert" data-testid="ice-notice">
      {problems.map((p) => (
        <p key={p} className="warning">
          <span>{p}</span>
        </p>
      ))}
    </div>
  );
}

function relayWords(ice: NodeIceSnapshot): string {
  switch (ice.relay) {
    case 'none':
      return 'This node names no relay (TURN server): calls and links work where a direct path exists.';
    case 'checking':
      return 'Checking the relay…';
    case 'ready':
      return 'The relay lets this tab in: calls and links also work behind strict routers.';
    default:
      return ice.relayProblem ?? 'The relay cannot be used.';
  }
}

/** The Network page's card: which STUN/TURN servers the node names (never their passwords) and whether the relay works. */
export function NodeIceCard() {
  const { ice } = useAppSnapshot();
  const urls = ice.servers.flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls));
  return (
    <section className="card" aria-labelledby="node-ice-heading">
      <h2 id="node-ice-heading">Relay and STUN servers from this node</h2>
      <p className="hint">
        The node that served this app names these for links and calls; you can add your own on the Phone page. The app contacts no other server.
      </p>
      {urls.length === 0 ? <p className="hint">None.</p> : (
        <ul className="plain" aria-label="Servers from this node">
          {urls.map((u) => (
            <li key={u}>
              <code>{u}</code>
            </li>
          ))}
        </ul>
      )}
      <p role="status" data-testid="relay-status">
        {relayWords(ice)}
        {ice.expiresAt !== null && ice.relay !== 'none' ? ` Its credentials are renewed before ${new Date(ice.expiresAt).toLocaleTimeString()}.` : ''}
      </p>
      {ice.problem && (
        <p role="alert" className="error">
          {ice.problem}
        </p>
      )}
    </section>
  );
}
