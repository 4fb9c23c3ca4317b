/**
 * Who may link with this peer: the one mapping from a link's proven far
 * side to a permission-gate request, for tabs and service peers alike. The
 * link handshake (app/transport/link.ts) proves the node key and the user
 * binding first; the gate then decides by remembered rule, policy or the
 * person (DESIGN.md, Permissions). A throwing gate is the link's business:
 * it refuses the link with "the permission check failed".
 */
import type { DecisionRequest, PermissionDecision, PermissionGate, Scope } from '../permissions';
import type { LinkDecision, LinkDirection, LinkPeer } from '../transport';

/**
 * The gate's request for a link (or a contact over it) with `peer`: its node
 * key, the user identity it presented (signing key, claimed name) and any
 * certificate, in `scope`, on the overlay `overlay`.
 */
export function linkPermissionRequest(peer: LinkPeer, direction: LinkDirection, scope: Scope, overlay: string): DecisionRequest {
  return {
    peerNodeId: peer.nodeId,
    peerNodeSpki: peer.spki,
    ...(peer.user ? { user: { signingSpki: peer.user.signingSpki, ...(peer.user.name ? { name: peer.user.name } : {}) } } : {}),
    ...(peer.user?.certificate ? { certificate: peer.user.certificate } : {}),
    scope,
    direction,
    overlay,
  };
}

/** What kind of peer this is: a person's tab, or an always-on service peer (no person, no calls). */
export type PeerRole = 'tab' | 'service';

/** Why a service peer refuses every `contact` request: nobody is there to talk to. */
export const SERVICE_TAKES_NO_CALLS = 'a service peer takes no calls';

/** A gate decision as the link handshake takes it: allowed or not, and why in words. */
export function linkDecisionOf(d: PermissionDecision): LinkDecision {
  return { allow: d.allow, reason: d.detail };
}

/**
 * Asks `gate` about a link with `peer` in `scope` (overlay links by default).
 * Resolves with the gate's full decision (a tab registers allowed links with
 * it, so a revoke closes them; null when no gate was asked) and the link's
 * view of it. A service peer refuses `contact` without asking. Rejects when
 * the gate does (a damaged store).
 */
export async function decideLink(
  gate: PermissionGate,
  overlay: string,
  peer: LinkPeer,
  direction: LinkDirection,
  scope: Scope = 'overlay',
  role: PeerRole = 'tab',
): Promise<{ decision: PermissionDecision | null; link: LinkDecision }> {
  if (scope === 'contact' && role === 'service') return { decision: null, link: { allow: false, reason: SERVICE_TAKES_NO_CALLS } };
  const decision = await gate.decide(linkPermissionRequest(peer, direction, scope, overlay));
  return { decision, link: linkDecisionOf(decision) };
}
