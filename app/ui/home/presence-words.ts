/** Presence in plain words (issue 18): "online now", "last seen 5 minutes ago", never a code. */
import type { Presence } from '../../peer';

function ago(ms: number, at: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 1) return 'last seen just now';
  if (min < 60) return `last seen ${min} minute${min === 1 ? '' : 's'} ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `last seen ${h} hour${h === 1 ? '' : 's'} ago`;
  return `last seen on ${new Date(at).toLocaleDateString(undefined, { dateStyle: 'medium' })}`;
}

/** What a contact's presence reads as at `now` (ms), and its tone for the dot. */
export function presenceWords(p: Presence | undefined, lastSeen: number | null, now: number): { text: string; tone: 'ok' | 'off' | 'unknown' } {
  if (p?.state === 'online') return { text: p.nodes > 1 ? `online now, on ${p.nodes} devices or tabs` : 'online now', tone: 'ok' };
  const seen = p?.lastSeen ?? lastSeen;
  const when = seen === null ? null : ago(Math.max(0, now - seen), seen);
  if (p?.state === 'offline') return { text: when ? `offline, ${when}` : 'offline, never seen online', tone: 'off' };
  if (p?.state === 'no-name') return { text: 'nobody holds this name now', tone: 'off' };
  return { text: when ? `not known yet (${when})` : 'not known yet', tone: 'unknown' };
}
