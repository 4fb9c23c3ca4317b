/**
 * Who may link with a service peer, decided by its configuration alone (no
 * person is there to ask): the tabs' permission gate, run headless. Open
 * mode allows the whole overlay; `--trusted-root FILE` lets in only peers
 * whose certificate that root signed. Only the `overlay` scope is ever
 * granted: a service peer takes no calls, so the peer layer refuses `contact`
 * outright (app/peer link-policy.ts, role 'service'),
 * and any question the gate would ask a person is answered "deny" at once.
 */
import { readFileSync } from 'node:fs';
import { MemoryKeyValueStore } from '../identity';
import { PermissionGate } from '../permissions';
import { silentLogger } from '../common';

export class PolicyConfigError extends Error {
  override name = 'PolicyConfigError';
}

/** The service peer's permission gate, configured from its command line; the peer layer decides its links with it (app/peer link-policy.ts, role 'service'). */
export interface ServicePolicy {
  gate: PermissionGate;
  /** Who may link, in words, for the log. */
  describe: string;
}

export async function makeServicePolicy(overlay: string, trustedRootFile: string | null): Promise<ServicePolicy> {
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

  return { gate, describe };
}
