/**
 * Who may call or message this person (DESIGN.md, Permissions: the
 * `contact` scope): the permission gate decides about the caller's user key,
 * taken from the claim on the name the request comes from (RFC 3261 From),
 * and the node key that signed the routed request. The UserAgent asks this for
 * every incoming INVITE and MESSAGE (app/sip ContactPolicy).
 */
import { keyFingerprint, nodeIdFromSpki } from '../identity';
import type { IsBlocked } from '../mail';
import type { PermissionGate } from '../permissions';
import { OverlayTimeoutError, type ContactPolicy, type NameClaim } from '../sip';

/** A person allowed once may go on reaching this peer for this long (one conversation), in ms. */
export const ALLOW_ONCE_MS = 10 * 60_000;

export interface CallPolicyOptions {
  gate: PermissionGate;
  /** The overlay, which is also the SIP domain. */
  domain: string;
  /** The node key behind a node ID that sent this peer a signed routed message; null when none has. */
  spkiOf: (nodeId: string) => Uint8Array | null;
  /** The keys behind a name (its claim on the DHT); null when nobody holds it. Rejects with OverlayTimeoutError when the network does not answer. */
  resolve: (name: string) => Promise<NameClaim | null>;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * The contact policy of a peer that takes calls. An "allow once" answer
 * lets the same person (name and key) in again for ALLOW_ONCE_MS, so one
 * conversation asks once; remembered rules are asked every time, so a
 * revoke bites at once. Never rejects: a failure is a refusal in words.
 */
export function callPolicy(o: CallPolicyOptions): ContactPolicy {
  const now = o.now ?? Date.now;
  const allowedUntil = new Map<string, number>();
  return async ({ name, nodeId }) => {
    const nodeSpki = o.spkiOf(nodeId);
    if (!nodeSpki) return { allow: false, reason: 'the caller’s node key is not known' };
    let claim: NameClaim | null;
    try {
      claim = await o.resolve(name);
    } catch (e) {
      return { allow: false, reason: e instanceof OverlayTimeoutError ? 'the network did not answer' : String(e) };
    }
    if (!claim) return { allow: false, reason: `${name} is not a known name` };
    const key = `${name}/${await keyFingerprint(claim.signingSpki)}`;
    if ((allowedUntil.get(key) ?? 0) > now()) return { allow: true, reason: 'allowed a moment ago' };
    const d = await o.gate.decide({
      peerNodeId: nodeId,
      peerNodeSpki: nodeSpki,
      user: { signingSpki: claim.signingSpki, name },
      scope: 'contact',
      direction: 'inbound',
      overlay: o.domain,
    });
    if (d.allow && d.reason === 'user') allowedUntil.set(key, now() + ALLOW_ONCE_MS);
    return { allow: d.allow, reason: d.detail };
  };
}

/**
 * Whether video mail from a sender is refused: the person keeps a remembered
 * deny ("always deny") for that sender's user key in the contact scope, the
 * same rule that refuses the sender's calls. Asked with the key the sealed
 * entry's inner signature was checked against (app/mail IsBlocked), so a
 * blocked sender cannot get past it by naming itself differently; never
 * asks the person a question.
 */
export function mailBlockedBy(gate: Pick<PermissionGate, 'rules'>): IsBlocked {
  return async ({ signSpki }) => gate.rules.find('contact', 'user', await nodeIdFromSpki(signSpki))?.decision === 'deny';
}
