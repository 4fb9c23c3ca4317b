/** How the UI says permission things to people. */
import type { DecisionReason, Scope } from '../permissions';

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
  conversation: 'a conversation you started',
};

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
