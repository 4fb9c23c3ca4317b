/**
 * Who may link with a service peer, decided by its configuration alone (no
 * person is there to ask): the tabs' permission gate, run headless. Open
 * mode allows the whole overlay; `--trusted-root FILE` lets in only peers
 * whose certificate that root signed. Only the `overlay` scope is ever
 * granted: a service peer takes no calls, so `contact` is refused outright,
 * and any question the gate would ask a person is answered "deny" at once.
 */
import { readFileSync } from 'node:fs';
import { MemoryKeyValueStore } from '../identity';
import { decideLink } from '../peer';
import { PermissionGate, silentLogger, type Scope } from '../permissions';
import type { LinkDecision, LinkDirection, LinkPeer, LinkPolicy } from '../transport';

export class PolicyConfigError extends Error {
  override name = 'PolicyConfigError';
}

export interface ServicePolicy {
  gate: PermissionGate;
  /** For the link manager: every link is an overlay-scope request. */
  linkPolicy: LinkPolicy;
  /** Any scope; `contact` is always refused. */
  decide(peer: LinkPeer, direction: LinkDirection, scope: Scope): Promise<LinkDecision>;
  describe: string;
}

export async function makeServicePolicy(overlay: string, trustedRootFile: string | null, log: (line: string) => void): Promise<ServicePolicy> {
  const gate = await PermissionGate.open({ store: new MemoryKeyValueStore(), logger: silentLogger, denyCooldownMs: 0 });
  // Nobody answers questions here: anything that would ask a person is a refusal.
  gate.questions.subscribe(() => {
    for (const q of gate.questions.getSnapshot()) void gate.answer(q.id, 'deny').catch(() => undefined);
  });
  let describe: string;
  if (trustedRootFile) {
    let text: string;
    try {
      text = readFileSync(trustedRootFile, 'utf8');
    } catch (e) {
      throw new PolicyConfigError(`--trusted-root ${trustedRootFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
    try {
      const root = await gate.roots.add(text, { label: 'service peer root', allow: { overlay: true, contact: false } });
      describe = `only peers signed by the root ${root.fingerprint}`;
    } catch (e) {
      throw new PolicyConfigError(`--trusted-root ${trustedRootFile} is not a usable public key: ${(e as Error).message}`);
    }
  } else {
    await gate.policy.setOverlay(overlay, 'allow', true);
    describe = `every peer of the overlay ${overlay}`;
  }

  // The same mapping as a tab's (app/peer/link-policy.ts), as a service peer: contact is refused.
  const decide = async (peer: LinkPeer, direction: LinkDirection, scope: Scope): Promise<LinkDecision> => {
    let link: LinkDecision;
    try {
      ({ link } = await decideLink(gate, overlay, peer, direction, scope, 'service'));
    } catch (e) {
      return { allow: false, reason: `the permission check failed: ${(e as Error).message}` };
    }
    if (!link.allow && scope !== 'contact') log(`refused ${direction} link from ${peer.nodeId.slice(0, 12)}: ${link.reason}`);
    return link;
  };
  return { gate, linkPolicy: (peer, direction) => decide(peer, direction, 'overlay'), decide, describe };
}
