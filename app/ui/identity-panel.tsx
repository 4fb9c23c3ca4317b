import { CopyButton } from './copy-button';
import { Identicon } from './identicon';
import { useAppSnapshot } from './use-app';

export function IdentityPanel() {
  const { node, user } = useAppSnapshot();
  if (!node || !user) return null;
  return (
    <div className="cards">
      <section className="card" aria-labelledby="node-heading">
        <h2 id="node-heading">This tab</h2>
        <div className="who">
          <Identicon hexId={node.nodeId} label={`Picture of this tab’s node ID ${node.fingerprint}`} />
          <div>
            <div className="fingerprint" aria-label="Node fingerprint" data-testid="node-fingerprint">
              {node.fingerprint}
            </div>
            <p className="hint">Each open tab is its own peer in the network, with its own key.</p>
          </div>
        </div>
        <dl>
          <dt>Node ID</dt>
          <dd>
            <code data-testid="node-id" aria-label="Node ID">
              {node.nodeId}
            </code>
            <CopyButton text={node.nodeId} label="Copy node ID" />
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="user-heading">
        <h2 id="user-heading">You</h2>
        <div className="who">
          <Identicon hexId={user.userId} label={`Picture of your user key ${user.fingerprint}`} />
          <div>
            <div className="fingerprint" aria-label="User fingerprint" data-testid="user-fingerprint">
              {user.fingerprint}
            </div>
            <p className="hint">Your user key is shared by all your tabs in this browser. It signs your name and calls.</p>
          </div>
        </div>
        <dl>
          <dt>User ID</dt>
          <dd>
            <code data-testid="user-id" aria-label="User ID">
              {user.userId}
            </code>
            <CopyButton text={user.userId} label="Copy user ID" />
          </dd>
          <dt>Public key</dt>
          <dd>
            <span className="hint">Give this to an operator who signs certificates for a closed group.</span>
            <CopyButton text={user.publicKey} label="Copy your public key" />
          </dd>
        </dl>
      </section>
    </div>
  );
}
