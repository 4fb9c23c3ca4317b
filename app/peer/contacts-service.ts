/**
 * Contacts as the phone uses them (issue 18): the ContactBook, presence
 * paced by a PresenceWatcher (a live registration counts only while one of
 * its tabs answers a routed probe), and blocking. A block is the permission rule
 * "always deny" for the contact's user key in the contact scope, so it shows
 * and is lifted on the Permissions page like any rule, and the gate, the
 * call policy and the mailbox refuse the person without a question.
 */
import { MAX_CLOCK_SKEW_MS, MemoryKeyValueStore, fromBase64, nodeIdFromSpki } from '../identity';
import { Snapshots, systemClock, type Clock, type Random } from '../common';
import { makeRule, type PermissionGate } from '../permissions';
import type { Registration, RegistrationsResult, UserAgent } from '../sip';
import type { CallService } from './call-service';
import { ContactBook, ContactError, type Contact } from './contact-book';
import { PresenceWatcher, presenceOf, type Presence } from './presence';
import { ReadMarks } from './read-marks';

export interface ContactsSnapshot {
  /** Presence per contact name; a contact not read yet has none. */
  presence: Readonly<Record<string, Presence>>;
  /** Bumped when the permission rules change, so blocks shown stay true. */
  rulesVersion: number;
}

export interface ContactsServiceOptions {
  book: ContactBook;
  /** What the person has read of each conversation. @default marks kept for this page only */
  reads?: ReadMarks;
  calls: CallService;
  gate: PermissionGate;
  /** @default systemClock */
  clock?: Clock;
  /** @default Math.random */
  random?: Random;
  /** Mean time between presence reads of one contact, ms. @default 30_000 */
  presencePeriodMs?: number;
}

export class ContactsService {
  readonly book: ContactBook;
  readonly reads: ReadMarks;
  readonly watcher: PresenceWatcher;
  private readonly snaps = new Snapshots<ContactsSnapshot>({ presence: {}, rulesVersion: 0 });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  private readonly offs: (() => void)[] = [];
  private watchedUa: UserAgent | null = null;
  private offUa: (() => void) | null = null;
  private readonly seenCalls = new Set<string>();
  private chatVersion = -1;
  private watcherOn = false;

  constructor(private readonly o: ContactsServiceOptions) {
    this.book = o.book;
    this.reads = o.reads ?? new ReadMarks(new MemoryKeyValueStore());
    const clock = o.clock ?? systemClock;
    this.watcher = new PresenceWatcher({
      clock,
      random: o.random ?? { next: Math.random },
      read: (name) => o.calls.registrations(name),
      names: () => this.book.getSnapshot().contacts.map((c) => c.name),
      onResult: (name, r) => void this.presenceRead(name, r, clock.now()),
      ...(o.presencePeriodMs !== undefined ? { periodMs: o.presencePeriodMs } : {}),
    });
    this.offs.push(o.gate.rules.onChange(() => this.snaps.update({ rulesVersion: this.getSnapshot().rulesVersion + 1 })));
    this.offs.push(o.calls.subscribe(() => this.followPhone()));
    this.followPhone();
  }

  /** Loads the stored contacts and read marks. Never rejects. */
  async start(): Promise<void> {
    await Promise.all([this.book.load(), this.reads.load()]);
  }

  /** Reads presence while true (the page is visible and the contacts are shown). */
  setWatching(on: boolean): void {
    // Marks made in another tab show when this one comes to the front.
    if (on && !this.watcherOn) void this.reads.load();
    this.watcherOn = on;
    this.watcher.setActive(on);
  }

  /**
   * Adds `name` with the key that holds it now. Returns what went wrong in
   * words (malformed, unknown, already kept, network silent), null on success.
   */
  async add(name: string): Promise<string | null> {
    let claim;
    try {
      claim = await this.o.calls.resolve(name);
    } catch {
      return `The network did not answer, so ${name} could not be looked up. Try again in a moment.`;
    }
    if (!claim) return `Nobody has the name ${name}.`;
    try {
      await this.book.add(name, claim);
    } catch (e) {
      return e instanceof ContactError ? e.message : `${name} could not be saved: ${String(e)}`;
    }
    this.watcher.poke(name);
    return null;
  }

  /** Removes the contact (a block stays: it is a permission rule). */
  async remove(name: string): Promise<void> {
    await this.book.remove(name);
    const { [name]: _gone, ...rest } = this.getSnapshot().presence;
    this.snaps.update({ presence: rest });
  }

  /** Whether the contact's kept key has an "always deny" rule in the contact scope. */
  isBlocked(contact: Contact): boolean {
    return this.o.gate.rules.find('contact', 'user', contact.key.userId)?.decision === 'deny';
  }

  /** Blocks the contact's kept key: calls, messages and mail from it are refused without a question. */
  async block(contact: Contact): Promise<void> {
    const spki = fromBase64(contact.key.spki);
    await this.o.gate.rules.remember(await makeRule({ scope: 'contact', kind: 'user', spki, decision: 'deny', created: Date.now(), name: contact.name }));
  }

  /** Lifts a block made here or on the Permissions page (the contact-scope rule for the kept key). */
  async unblock(contact: Contact): Promise<void> {
    const rule = this.o.gate.rules.find('contact', 'user', contact.key.userId);
    if (rule?.decision === 'deny') await this.o.gate.rules.revoke(rule.id);
  }

  stop(): void {
    this.watcher.stop();
    this.book.close();
    this.offUa?.();
    for (const off of this.offs.splice(0)) off();
  }

  private async presenceRead(name: string, r: RegistrationsResult, now: number): Promise<void> {
    const contact = this.book.get(name);
    if (!contact) return;
    let p: Presence;
    if (r.kind === 'found') {
      await this.book.keySeen(name, r.claim.signingSpki);
      // Presence is the kept key's: registrations under a new key say nothing of the person the contact was.
      const kept = (await nodeIdFromSpki(r.claim.signingSpki)) === contact.key.userId;
      p = kept ? presenceOf(r.registrations, now, contact.lastSeen) : { state: 'unknown', lastSeen: contact.lastSeen };
      if (p.state === 'online' && !(await this.anyAnswers(r.registrations, now))) {
        // Registered, but no tab answers: it closed or crashed without unregistering.
        p = { state: 'offline', lastSeen: contact.lastSeen };
      }
      // Written at most once a minute while online: last seen need not be finer, and each write is a whole-list write.
      if (p.state === 'online' && (contact.lastSeen === null || now - contact.lastSeen >= 60_000)) await this.book.seen(name, now);
      else if (p.state === 'offline' && p.lastSeen !== null) await this.book.seen(name, p.lastSeen);
    } else p = r.kind === 'unknown' ? { state: 'no-name', lastSeen: contact.lastSeen } : { state: 'unknown', lastSeen: contact.lastSeen };
    this.snaps.update({ presence: { ...this.getSnapshot().presence, [name]: p } });
  }

  /** Whether any tab live in `registrations` answers a routed probe (one at a time, first answer wins). */
  private async anyAnswers(registrations: readonly Registration[], now: number): Promise<boolean> {
    const live = [...new Set(registrations.filter((r) => !r.gone && r.expires > now - MAX_CLOCK_SKEW_MS).map((r) => r.node))];
    for (const node of live) if (await this.o.calls.nodeAnswers(node)) return true;
    return false;
  }

  /** A call or message from a contact reads their presence early. */
  private followPhone(): void {
    const ua = this.o.calls.ua;
    if (ua === this.watchedUa) return;
    this.offUa?.();
    this.watchedUa = ua;
    this.offUa = ua
      ? ua.subscribe(() => {
          const s = ua.getSnapshot();
          for (const c of s.calls) {
            if (this.seenCalls.has(c.id)) continue;
            this.seenCalls.add(c.id);
            if (this.book.get(c.peer)) this.watcher.poke(c.peer);
          }
          if (s.chatVersion === this.chatVersion) return;
          this.chatVersion = s.chatVersion;
          if (s.lastMessageFrom && this.book.get(s.lastMessageFrom)) this.watcher.poke(s.lastMessageFrom);
        })
      : null;
  }
}
