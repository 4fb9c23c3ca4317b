/**
 * Call waiting: which calls are in progress, and which ringing call is a
 * waiting one (it arrived while the person was in, or placing, another call).
 * Pure functions over the call views, so the UserAgent and the UI agree.
 */
import type { CallView } from './user-agent-types';

/** Whether a call holds the person's attention: answered (held or not), or being placed. */
export function inProgress(c: CallView): boolean {
  return c.state === 'active' || c.state === 'calling' || c.state === 'ringing';
}

/**
 * The calls with `waiting` set as it is now: a ringing incoming call is
 * waiting while another call is in progress; any other call is not. Returns
 * the same array when nothing changed.
 */
export function withWaiting(calls: readonly CallView[]): readonly CallView[] {
  let changed = false;
  const out = calls.map((c) => {
    const waiting = c.state === 'incoming' && calls.some((o) => o.id !== c.id && inProgress(o));
    if (waiting === c.waiting) return c;
    changed = true;
    return { ...c, waiting };
  });
  return changed ? out : calls;
}

/** The call the person is talking in (or placing) now, other than `except`: answered and not held by them, or ringing out. */
export function currentCall(calls: readonly CallView[], except?: string): CallView | undefined {
  return calls.find((c) => c.id !== except && inProgress(c) && !c.held);
}

/** The answered calls this person has not put on hold: the ones a new call or a switch must hold first. */
export function liveCallIds(calls: readonly CallView[]): string[] {
  return calls.filter((c) => c.state === 'active' && !c.held).map((c) => c.id);
}
