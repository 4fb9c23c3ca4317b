/**
 * Presence of contacts (issue 18), read from their names' registrations in
 * the DHT (the SIP location service, RFC 3261 §10): "online now" while a
 * registration is live, "last seen" from the newest registration's write
 * time once none is. No presence protocol (RFC 3856 SUBSCRIBE/NOTIFY) is
 * added: a tab's registrations are already refreshed and removed (a
 * tombstone when it closes), so reading them costs one DHT read per
 * contact, and nobody learns who watches whom.
 *
 * The PresenceWatcher paces the reads so the DHT is not flooded: one read
 * per contact per `periodMs` (default 30 s) with ±20 % jitter, one read in
 * flight at a time, only while active (the page is visible and the contacts
 * are shown), and an early read on a contact event (a call or message from
 * them), at most one per `minGapMs` per contact.
 */
import { hasSurelyExpired } from '../identity';
import type { Clock, Random } from '../common';
import type { Registration, RegistrationsResult } from '../sip';

/** What is known of a contact's presence. */
export type Presence =
  | { state: 'online'; nodes: number }
  | { state: 'offline'; lastSeen: number | null }
  /** The name is held by nobody now (it lapsed). */
  | { state: 'no-name'; lastSeen: number | null }
  /** Not read yet, or the network did not answer. */
  | { state: 'unknown'; lastSeen: number | null };

/**
 * Presence from a name's registrations at `now` (ms). Online: some entry is
 * not removed and has not surely expired (the same test a caller's lookup
 * makes, so "online" means a call would ring). Otherwise the person was last
 * seen when their newest entry was written (an unregister's tombstone is
 * written as the tab closes), or at `known` when that is later.
 */
export function presenceOf(registrations: readonly Registration[], now: number, known: number | null = null): Presence {
  const live = registrations.filter((r) => !r.gone && !hasSurelyExpired(r.expires, now));
  if (live.length > 0) return { state: 'online', nodes: new Set(live.map((r) => r.node)).size };
  const written = registrations.map((r) => Math.min(r.writtenAt, now));
  const lastSeen = Math.max(known ?? -1, ...written);
  return { state: 'offline', lastSeen: lastSeen < 0 ? null : lastSeen };
}

export interface PresenceWatcherOptions {
  clock: Clock;
  random: Random;
  /** Reads a name's registrations (DhtLocation.registrations). */
  read: (name: string) => Promise<RegistrationsResult>;
  /** The names to watch now (the contact list). */
  names: () => readonly string[];
  /** Called with every read's result. */
  onResult: (name: string, result: RegistrationsResult) => void;
  /** Mean time between two reads of one contact, ms. @default 30_000 */
  periodMs?: number;
  /** Least time between two reads of one contact, also for poke(), ms. @default 5_000 */
  minGapMs?: number;
}

/** Paces presence reads: see the file comment. Never throws; a failed read counts as "unknown". */
export class PresenceWatcher {
  private periodMs: number;
  private readonly minGapMs: number;
  /** When each name is next due, ms. */
  private readonly due = new Map<string, number>();
  /** When each name was last read, ms. */
  private readonly lastRead = new Map<string, number>();
  private timer: unknown = null;
  private reading = false;
  private active = false;
  /** Reads made, for the test handle and benchmarks. */
  reads = 0;

  constructor(private readonly o: PresenceWatcherOptions) {
    this.periodMs = o.periodMs ?? 30_000;
    this.minGapMs = o.minGapMs ?? 5_000;
  }

  /** Starts (true) or pauses (false) the reads; starting reads at once every name not read within a period. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) this.schedule();
    else this.clearTimer();
  }

  /** Changes the mean period (tests shorten it); takes effect from the next read of each name. */
  setPeriod(ms: number): void {
    if (!(ms >= this.minGapMs)) throw new RangeError(`the presence period must be at least ${this.minGapMs} ms`);
    this.periodMs = ms;
    for (const [name, at] of this.due) this.due.set(name, Math.min(at, this.o.clock.now() + ms));
    this.schedule();
  }

  /** A contact event (a call or message from `name`, a contact added): read it soon, within the rate limit. */
  poke(name: string): void {
    const now = this.o.clock.now();
    const earliest = (this.lastRead.get(name) ?? -Infinity) + this.minGapMs;
    this.due.set(name, Math.max(now, earliest));
    this.schedule();
  }

  stop(): void {
    this.active = false;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private jittered(): number {
    return this.periodMs * (0.8 + 0.4 * this.o.random.next());
  }

  /** Sets the one timer for the earliest due name; names never read are due now. */
  private schedule(): void {
    if (!this.active || this.reading) return;
    const now = this.o.clock.now();
    const names = this.o.names();
    const watched = new Set(names);
    for (const n of [...this.due.keys()]) if (!watched.has(n)) this.due.delete(n);
    let next: string | null = null;
    let at = Infinity;
    for (const n of names) {
      let d = this.due.get(n);
      if (d === undefined) {
        const last = this.lastRead.get(n);
        d = last === undefined ? now : last + this.jittered();
        this.due.set(n, d);
      }
      if (d < at) [next, at] = [n, d];
    }
    this.clearTimer();
    if (next === null) return;
    const name = next;
    this.timer = this.o.clock.setTimeout(() => void this.readOne(name), Math.max(0, at - now));
  }

  private async readOne(name: string): Promise<void> {
    this.timer = null;
    if (!this.active) return;
    this.reading = true;
    this.reads++;
    this.lastRead.set(name, this.o.clock.now());
    this.due.set(name, this.o.clock.now() + this.jittered());
    let result: RegistrationsResult;
    try {
      result = await this.o.read(name);
    } catch {
      result = { kind: 'timeout' };
    }
    this.reading = false;
    try {
      this.o.onResult(name, result);
    } catch {
      // A listener's failure must not stop the reads of the others.
    }
    this.schedule();
  }
}
