/**
 * Taking a permission back closes the links that depended on it: a revoked
 * "always allow" rule, a new "always deny" (which also ends links let in
 * once, by a root or by the overlay), a root that stops vouching, a
 * forgotten overlay allowance.
 */
import type { LinkGrant, LiveLinks } from './live-links';
import type { PolicyStore } from './policy-store';
import type { RuleStore } from './rule-store';
import type { TrustedRootStore } from './trusted-roots';
import type { Subject } from './types';

function who(s: Subject): string {
  return s.name !== undefined ? `${s.name} (${s.fingerprint})` : s.fingerprint;
}

/** Subscribes `links` to the stores; returns the unsubscribe functions. */
export function closeOnRevocation(links: LiveLinks, rules: RuleStore, roots: TrustedRootStore, policy: PolicyStore): (() => void)[] {
  return [
    rules.onChange((change) => {
      for (const rule of change.removed) {
        if (rule.decision !== 'allow') continue;
        links.closeWhere((g) => g.basis.kind === 'rule' && g.basis.ruleId === rule.id, `your rule for ${who(rule.subject)} was revoked`);
      }
      for (const rule of change.added) {
        if (rule.decision !== 'deny') continue;
        const keyOf = (g: LinkGrant): string => (rule.subject.kind === 'node' ? g.peerNodeId : g.subject.kind === 'user' ? g.subject.keyId : '');
        links.closeWhere((g) => g.scope === rule.scope && keyOf(g) === rule.subject.keyId, `you now always deny ${who(rule.subject)}`);
      }
    }),
    roots.onWithdrawn(({ root, scopes }) => {
      links.closeWhere(
        (g) => g.basis.kind === 'root' && g.basis.rootId === root.id && scopes.includes(g.scope),
        `root "${root.label}" no longer vouches for peers`,
      );
    }),
    policy.onWithdrawn((a) => {
      links.closeWhere((g) => g.basis.kind === 'overlay' && g.basis.overlay === a.overlay, `overlay links for ${a.overlay} are no longer allowed`);
    }),
  ];
}
