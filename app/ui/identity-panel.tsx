import type { ReactNode } from 'react';
import { CopyButton } from './copy-button';
import { Identicon } from './identicon';
import { useAppSnapshot } from './use-app';

/** One identity: its picture, fingerprint, what it is for, and its full ID to copy. */
function IdentityCard(p: { id: string; heading: string; kind: 'Node' | 'User'; hexId: string; fp: string; picture: string; hint: string; children?: ReactNode }) {
  const slug = p.kind.toLowerCase();
  return (
    <section className="card" aria-labelledby={`${p.id}-heading`}>
      <h2 id={`${p.id}-heading`}>{p.heading}</h2>
      <div className="who">
        <Identicon hexId={p.hexId} label={`${p.picture} ${p.fp}`} />
        <div>
          <div className="fingerprint" aria-label={`${p.kind} fingerprint`} data-testid={`${slug}-fingerprint`}>
            {p.fp}
          </div>
          <p className="hint">{p.hint}</p>
        </div>
      </div>
      <dl>
        <dt>{p.kind} ID</dt>
        <dd>
          <code data-testid={`${slug}-id`} aria-label={`${p.kind} ID`}>
            {p.hexId}
          </code>
          <CopyButton text={p.hexId} label={`Copy ${slug} ID`} />
        </dd>
        {p.children}
      </dl>
    </section>
  );
}

export function IdentityPanel() {
  const { node, user } = useAppSnapshot();
  if (!node || !user) return null;
  return (
    <div className="cards">
      <IdentityCard
        id="node"
        heading="This tab"
        kind="Node"
        hexId={node.nodeId}
        fp={node.fingerprint}
        picture="Picture of this tab’s node ID"
        hint="Each open tab is its own peer in the network, with its own key."
      />
      <IdentityCard
        id="user"
        heading="You"
        kind="User"
        hexId={user.userId}
        fp={user.fingerprint}
        picture="Picture of your user key"
        hint="Your user key is shared by all your tabs in this browser. It signs your name and calls."
      >
        <dt>Public key</dt>
        <dd>
          <span className="hint">Give this to an operator who signs certificates for a closed group.</span>
          <CopyButton text={user.publicKey} label="Copy your public key" />
        </dd>
      </IdentityCard>
    </div>
  );
}
