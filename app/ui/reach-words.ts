/**
 * What the banner at the top of every page says about whether people can
 * reach this person (issue 18: offline, not in the ring, not reachable, each
 * with the way out), decided from the app's snapshots by one pure function so
 * the order of precedence is tested without a browser.
 */
import type { RingSnapshot } from '../peer';
import type { UserAgentSnapshot } from '../sip';
import type { SignalingState } from '../transport';

/** What the banner's button does. */
export type ReachAction = 'retry-signaling' | 'join' | 'open-permissions' | 'register-again';

/** One banner: how bad it is, its words, and its way out (a button label and what it does). */
export interface ReachNotice {
  readonly kind: 'offline' | 'refused' | 'not-in-ring' | 'not-reachable';
  readonly text: string;
  readonly action: { readonly label: string; readonly does: ReachAction };
}

/** What reachNotice reads. */
export interface ReachInput {
  readonly signaling: SignalingState;
  /** The tab's place in the ring; null before the peer is assembled. */
  readonly ring: Pick<RingSnapshot, 'joined' | 'successors' | 'refusal'> | null;
  /** The person answered "Always deny" to the network: only the Permissions page undoes it. */
  readonly refusedAlways: boolean;
  /** The join question is on screen now (the dialog says it all). */
  readonly joinAsked: boolean;
  /** The phone's name and whether its registration is failing, when it has one. */
  readonly phone: { readonly name: string; readonly registration: UserAgentSnapshot['registration']; readonly error: string | null } | null;
}

/** Whether a tab is in a ring with other peers: the only place where anyone can reach it. */
export function isInRing(ring: Pick<RingSnapshot, 'joined' | 'successors'>): boolean {
  return ring.joined && ring.successors.length > 0;
}

/**
 * The one notice the banner shows, or null when the person is reachable (or
 * the app is still starting). Precedence: the person's own refusal (only they
 * can undo it), then offline (nothing else can be fixed first), then out of
 * the ring, then a name that does not register.
 */
export function reachNotice(s: ReachInput): ReachNotice | null {
  if (!s.ring) return null;
  const inRing = isInRing(s.ring);
  if (!inRing && s.ring.refusal && !s.joinAsked) {
    return s.refusedAlways
      ? {
          kind: 'refused',
          text: 'People cannot call you: you chose never to join the network. You can change that on the Permissions page (Network relay).',
          action: { label: 'Open Permissions', does: 'open-permissions' },
        }
      : { kind: 'refused', text: 'People cannot call you: you said no to joining the network.', action: { label: 'Join now', does: 'join' } };
  }
  if (s.signaling.kind === 'offline') {
    return {
      kind: 'offline',
      text: inRing
        ? 'The signaling server does not answer, so new peers cannot find this tab. Calls still reach you through the peers you are linked with; the tab keeps retrying.'
        : 'You are offline: the signaling server does not answer, so nobody can call you. The tab keeps retrying.',
      action: { label: 'Try again now', does: 'retry-signaling' },
    };
  }
  if (!inRing && !s.joinAsked && s.signaling.kind === 'online') {
    return { kind: 'not-in-ring', text: 'Not in the network yet: nobody can call you until this tab joins it.', action: { label: 'Join now', does: 'join' } };
  }
  if (inRing && s.phone && (s.phone.registration === 'retrying' || s.phone.registration === 'failed')) {
    return {
      kind: 'not-reachable',
      text: `Nobody can call you as ${s.phone.name} right now${s.phone.error ? `: ${s.phone.error}` : ''}.`,
      action: { label: 'Try again now', does: 'register-again' },
    };
  }
  return null;
}
