/**
 * The words the peer layer itself produces about this tab's own permission
 * answers (the ring snapshot's `refusal`); the UI's other words stay in
 * app/ui/words.ts.
 */
import type { PermissionGate } from '../permissions';

/**
 * Why this tab's own permission settings keep it out of the ring `overlay`,
 * in words, or null when they do not: a remembered refusal, the person's
 * "Deny", or a question nobody answered in time. (A peer that refused this
 * tab is not this; the ring status says so in its own words.)
 */
export function whyNotInRing(gate: PermissionGate, overlay: string): string | null {
  if (gate.policy.overlayAllowance(overlay)?.decision === 'deny') return `you refused links to the network “${overlay}” (Permissions page, Network relay)`;
  const last = gate.lastOverlayDecision(overlay);
  if (!last || last.allow) return null;
  if (last.reason === 'timeout') return `you did not answer the question about joining the network “${overlay}”`;
  if (last.reason === 'user') return `you answered “deny” to joining the network “${overlay}”`;
  return null;
}
