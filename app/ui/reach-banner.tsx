/**
 * The banner at the top of every page (issue 18): offline, not in the
 * network, or not reachable by name, in plain words, each with its way out.
 * Nothing shows while the person is reachable. The words come from
 * reachNotice (reach-words.ts).
 */
import { useSyncExternalStore } from 'react';
import { OVERLAY_NAME, whyNotInRing, type CallService, type OverlayService } from '../peer';
import type { PermissionGate } from '../permissions';
import type { UserAgent } from '../sip';
import { isInRing, reachNotice, type ReachAction } from './reach-words';
import { useAppSnapshot, useServices, useStore } from './use-app';

const NO_STORE = { subscribe: () => () => undefined, getSnapshot: () => null };

/** A store that may not exist yet, read as React state (null while it does not). */
function useMaybe<T>(store: { subscribe(fn: () => void): () => void; getSnapshot(): T } | null | undefined): T | null {
  const s = store ?? NO_STORE;
  return useSyncExternalStore(s.subscribe, s.getSnapshot as () => T | null);
}

function Banner({ overlay, gate, calls }: { overlay: OverlayService; gate: PermissionGate; calls: CallService | null }) {
  const services = useServices();
  const app = useAppSnapshot();
  const ring = useStore(overlay);
  const questions = useStore(gate.questions);
  useMaybe(calls);
  const ua: UserAgent | null = calls?.ua ?? null;
  const phone = useMaybe(ua);
  const notice = reachNotice({
    signaling: app.signaling,
    // A tab that started a ring alone has not tried to join since: the person's own "no" is read from the gate.
    ring: { ...ring, refusal: ring.refusal ?? (isInRing(ring) ? null : whyNotInRing(gate, OVERLAY_NAME)) },
    refusedAlways: gate.policy.overlayAllowance(OVERLAY_NAME)?.decision === 'deny',
    joinAsked: questions.some((q) => q.kind === 'overlay'),
    phone: ua?.name && phone ? { name: ua.name, registration: phone.registration, error: phone.registrationError } : null,
  });
  if (!notice) return null;
  const act: Record<ReachAction, () => void> = {
    'retry-signaling': () => services.retrySignalingNow(),
    join: () => services.joinNetwork(),
    'open-permissions': () => {
      location.hash = '#/permissions';
    },
    'register-again': () => void ua?.registerNow(),
  };
  return (
    <div className={`reach-banner reach-${notice.kind}`} role="status" data-testid="reach-banner">
      <span>{notice.text}</span>
      <button type="button" onClick={act[notice.action.does]}>
        {notice.action.label}
      </button>
    </div>
  );
}

/** The reachability banner; nothing until the peer is assembled. */
export function ReachBanner() {
  const services = useServices();
  const snap = useAppSnapshot();
  if (snap.phase !== 'ready' || !services.overlay || !services.gate) return null;
  return <Banner overlay={services.overlay} gate={services.gate} calls={services.calls} />;
}
