/** How the UI says permission things to people. */
import type { DecisionReason, PermissionGate, Scope } from '../permissions';

export const SCOPE_WANTS: Record<Scope, string> = {
  overlay: 'relay network traffic through this tab (routing and storage for the peer-to-peer network)',
  contact: 'call you, and send you messages or video mail',
};

export const SCOPE_NAME: Record<Scope, string> = {
  overlay: 'Network relay',
  contact: 'Calls and messages',
};

export const REASON_WORDS: Record<DecisionReason, string> = {
  rule: 'a remembered rule',
  policy: 'a policy',
  user: 'your answer',
  timeout: 'no answer in time',
  certificate: 'a bad certificate',
  busy: 'too many questions',
  cancelled: 'the link went away',
};

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

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Offers `text` as a file download. */
export function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A wait in words: "8 s", "2 min", "4 min 30 s". */
export function formatWait(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest ? `${m} min ${rest} s` : `${m} min`;
}
