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
import type { ReachSetting } from './contact-book';
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
  /** "Who can reach me" and the person's contacts (ContactBook). @default everyone may, and strangers are asked */
  reach?: ReachRule;
}

/** What "who can reach me" needs to know: the setting, and whether a caller is one of the person's contacts. */
export interface ReachRule {
  reach: () => ReachSetting;
  /** Whether `signingSpki` is the key kept for the contact `name` (ContactBook.isContact). */
  isContact: (name: string, signingSpki: Uint8Array) => Promise<boolean>;
}

/**
 * Whether "who can reach me" refuses this caller before the gate is asked:
 * "nobody" refuses everyone and "contacts" everyone who is not a contact
 * with the kept key, except someone this person called or wrote to lately
 * (the calling-back rule, permissions/conversations.ts). Words when refused,
 * null when the gate decides.
 */
async function reachRefusal(rule: ReachRule | undefined, gate: PermissionGate, name: string, signingSpki: Uint8Array): Promise<string | null> {
  const reach = rule?.reach() ?? 'everyone';
  if (reach === 'everyone' || !rule) return null;
  if (gate.conversations.allows(await nodeIdFromSpki(signingSpki))) return null;
  if (reach === 'nobody') return 'you take no calls or messages now (who can reach you: nobody)';
  return (await rule.isContact(name, signingSpki)) ? null : `${name} is not one of your contacts (who can reach you: contacts only)`;
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
    // Refused quietly: no question, as for a blocked person.
    const refused = await reachRefusal(o.reach, o.gate, name, claim.signingSpki);
    if (refused) return { allow: false, reason: refused };
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
export function mailBlockedBy(gate: Pick<PermissionGate, 'rules'>, reach?: MailReachRule): IsBlocked {
  return async ({ signSpki }) => {
    const userId = await nodeIdFromSpki(signSpki);
    if (gate.rules.find('contact', 'user', userId)?.decision === 'deny') return true;
    // Mail waits for the person, so "contacts only" and "nobody" hold back mail as they hold back calls.
    const setting = reach?.reach() ?? 'everyone';
    return setting === 'nobody' || (setting === 'contacts' && !reach!.isContactKey(userId));
  };
}

/** What mail needs of "who can reach me": the setting, and whether a user ID is a kept contact key. */
export interface MailReachRule {
  reach: () => ReachSetting;
  isContactKey: (userId: string) => boolean;
}
