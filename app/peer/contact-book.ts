/**
 * The person's contacts (issue 18): names they keep, each with the key seen
 * when the contact was added (trust on first use, as SSH's known_hosts and
 * Signal's safety numbers do), a favourite mark and the last time the person
 * was seen online. A later key behind the same name is held as `newKey`
 * and shown as a warning until the person accepts it; nothing switches to it
 * by itself. Also the "who can reach me" choice, which the call policy reads.
 *
 * Kept whole under one key of the profile's settings store (storage before
 * memory, one write at a time), so a failed write changes nothing. Damaged
 * storage loses only the entries that do not parse, and says so.
 */
import { fromBase64, keyFingerprint, nodeIdFromSpki, toBase64Url, type KeyValueStore } from '../identity';
import { SerialQueue, Snapshots } from '../common';
import { nameProblem, type NameClaim } from '../sip';

/** Where the contact list lives in the settings store. */
export const CONTACTS_KEY = 'contacts';
/** Where "who can reach me" lives in the settings store. */
export const REACH_KEY = 'who-can-reach-me';
/** Most contacts kept: one read of the list stays small, and presence stays a trickle of lookups. */
export const MAX_CONTACTS = 500;
/** Most bytes of an SPKI kept (a P-256 SPKI is 91). */
const MAX_SPKI_BYTES = 512;

/** Who may call and write to this person: everyone (strangers are asked), only contacts, or nobody. */
export type ReachSetting = 'everyone' | 'contacts' | 'nobody';
export const REACH_SETTINGS: readonly ReachSetting[] = ['everyone', 'contacts', 'nobody'];

/** A user key as a contact holds it. */
export interface ContactKey {
  /** The user ID: 40 hex digits, SHA-256 of the signing SPKI, truncated (DESIGN.md, Identity). */
  userId: string;
  /** Short grouped hex of the key, as people are shown it. */
  fingerprint: string;
  /** The signing SPKI, base64url. */
  spki: string;
}

export interface Contact {
  /** The name (DHT claim `user:<name>`). */
  name: string;
  /** The key seen at first contact, or the one the person accepted later. */
  key: ContactKey;
  /** A different key now behind the name, not accepted yet: the warning. */
  newKey: ContactKey | null;
  favourite: boolean;
  /** When it was added, ms since the epoch. */
  addedAt: number;
  /** The last time the person was seen online (a live registration), ms since the epoch; null: never seen. */
  lastSeen: number | null;
}

export interface ContactBookSnapshot {
  /** Favourites first, then by name. */
  contacts: readonly Contact[];
  reach: ReachSetting;
  /** What went wrong reading the stored list, in words; null when nothing did. */
  problem: string | null;
}

export interface ContactBookOptions {
  /** The profile's settings store (shared by its tabs). */
  store: KeyValueStore;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /**
   * Tells the profile's other tabs that the list or setting changed, and
   * hears them (a BroadcastChannel, as the permission gate's). The message
   * carries nothing: a tab that hears it re-reads storage. @default this tab only
   */
  sync?: { post(): void; onMessage(fn: () => void): () => void } | undefined;
}

/** Thrown by ContactBook entry points for a request they refuse; `message` is words for the person. */
export class ContactError extends Error {
  override readonly name = 'ContactError';
}

function sorted(list: Iterable<Contact>): Contact[] {
  return [...list].sort((a, b) => Number(b.favourite) - Number(a.favourite) || a.name.localeCompare(b.name));
}

export async function contactKeyOf(signingSpki: Uint8Array): Promise<ContactKey> {
  const userId = await nodeIdFromSpki(signingSpki);
  return { userId, fingerprint: await keyFingerprint(signingSpki), spki: toBase64Url(signingSpki) };
}

export class ContactBook {
  private readonly snaps = new Snapshots<ContactBookSnapshot>({ contacts: [], reach: 'everyone', problem: null });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  private readonly queue = new SerialQueue();
  private readonly now: () => number;

  private readonly offSync: (() => void) | undefined;

  constructor(private readonly o: ContactBookOptions) {
    this.now = o.now ?? Date.now;
    // A background tab takes most calls: "who can reach me" set in another tab must hold there at once.
    this.offSync = o.sync?.onMessage(() => void this.load());
  }

  /** Stops hearing the other tabs. */
  close(): void {
    this.offSync?.();
  }

  /** Reads the stored list and setting (again: another tab may have changed them). Never rejects. */
  load(): Promise<void> {
    return this.queue.run(async () => {
      let raw: unknown;
      let reach: unknown;
      try {
        [raw, reach] = await Promise.all([this.o.store.get(CONTACTS_KEY), this.o.store.get(REACH_KEY)]);
      } catch {
        this.snaps.update({ problem: 'Your contacts could not be read from this browser’s storage.' });
        return;
      }
      const { contacts, dropped } = await parseContacts(raw);
      this.snaps.update({
        contacts: sorted(contacts),
        reach: REACH_SETTINGS.includes(reach as ReachSetting) ? (reach as ReachSetting) : 'everyone',
        problem: dropped > 0 ? `${dropped} stored contact${dropped === 1 ? ' was' : 's were'} damaged and left out.` : null,
      });
    });
  }

  /** The contact with this name, if any. */
  get(name: string): Contact | undefined {
    return this.getSnapshot().contacts.find((c) => c.name === name);
  }

  /**
   * Whether `signingSpki` is the key this person keeps for `name` (the one
   * seen first or accepted): what "contacts only" lets through. A new key
   * behind a contact's name is not the contact until accepted.
   */
  async isContact(name: string, signingSpki: Uint8Array): Promise<boolean> {
    const c = this.get(name);
    return c !== undefined && c.key.userId === (await nodeIdFromSpki(signingSpki));
  }

  /** Whether `userId` is the kept key of some contact (mail knows the sender's key, not a name it could trust). */
  isContactKey(userId: string): boolean {
    return this.getSnapshot().contacts.some((c) => c.key.userId === userId);
  }

  /**
   * Adds `name` with the key that holds it now (`claim`, looked up by the
   * caller). Throws ContactError for a malformed name, one already kept, or a
   * full list.
   */
  async add(name: string, claim: NameClaim): Promise<Contact> {
    const problem = nameProblem(name);
    if (problem) throw new ContactError(problem);
    const key = await contactKeyOf(claim.signingSpki);
    return this.change((list) => {
      if (list.some((c) => c.name === name)) throw new ContactError(`${name} is already in your contacts`);
      if (list.length >= MAX_CONTACTS) throw new ContactError(`You have ${MAX_CONTACTS} contacts, the most this phone keeps; remove one first`);
      const contact: Contact = { name, key, newKey: null, favourite: false, addedAt: this.now(), lastSeen: null };
      return { list: [...list, contact], result: contact };
    });
  }

  remove(name: string): Promise<void> {
    return this.change((list) => ({ list: list.filter((c) => c.name !== name), result: undefined }));
  }

  setFavourite(name: string, favourite: boolean): Promise<void> {
    return this.patch(name, () => ({ favourite }));
  }

  /**
   * The key behind a contact's name as a lookup found it now. The same key:
   * any earlier warning is cleared (the name went back). Another key: kept
   * as `newKey`, the warning. Unknown names are ignored.
   */
  async keySeen(name: string, signingSpki: Uint8Array): Promise<void> {
    const c = this.get(name);
    if (!c) return;
    const seen = await contactKeyOf(signingSpki);
    if (seen.userId === c.key.userId ? c.newKey === null : c.newKey?.userId === seen.userId) return;
    await this.patch(name, (c) => ({ newKey: seen.userId === c.key.userId ? null : seen }));
  }

  /** The person checked the new key behind `name` and trusts it: it becomes the contact's key. */
  acceptNewKey(name: string): Promise<void> {
    return this.patch(name, (c) => (c.newKey ? { key: c.newKey, newKey: null } : {}));
  }

  /** The person was seen online at `at` (ms); an older time changes nothing. */
  async seen(name: string, at: number): Promise<void> {
    const c = this.get(name);
    if (!c || (c.lastSeen !== null && c.lastSeen >= at)) return;
    await this.patch(name, (c) => ({ lastSeen: Math.max(c.lastSeen ?? 0, at) }));
  }

  /** Saves "who can reach me". Throws ContactError for a value that is none of REACH_SETTINGS. */
  setReach(reach: ReachSetting): Promise<void> {
    if (!REACH_SETTINGS.includes(reach)) return Promise.reject(new ContactError(`“${String(reach)}” is not a choice of who can reach you`));
    return this.queue.run(async () => {
      await this.o.store.set(REACH_KEY, reach);
      this.snaps.update({ reach });
      this.o.sync?.post();
    });
  }

  private patch(name: string, f: (c: Contact) => Partial<Contact>): Promise<void> {
    return this.change((list) => ({ list: list.map((c) => (c.name === name ? { ...c, ...f(c) } : c)), result: undefined }));
  }

  /** One read-modify-write of the whole list: storage first, then memory. */
  private change<T>(f: (list: readonly Contact[]) => { list: Contact[]; result: T }): Promise<T> {
    return this.queue.run(async () => {
      const { list, result } = f(this.getSnapshot().contacts);
      await this.o.store.set(CONTACTS_KEY, { v: 1, contacts: list });
      this.snaps.update({ contacts: sorted(list) });
      this.o.sync?.post();
      return result;
    });
  }
}

/** Checks a stored key entry; null when it is not one. */
async function parseKey(raw: unknown): Promise<ContactKey | null> {
  if (typeof raw !== 'object' || raw === null) return null;
  const spki = (raw as Record<string, unknown>)['spki'];
  if (typeof spki !== 'string' || spki.length > (MAX_SPKI_BYTES * 4) / 3 + 4) return null;
  try {
    // The ID and fingerprint are made again from the key, so an edited ID cannot point a name at another key.
    return await contactKeyOf(fromBase64(spki));
  } catch {
    return null;
  }
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The stored list, entry by entry: each damaged entry is dropped and counted, the rest kept. */
export async function parseContacts(raw: unknown): Promise<{ contacts: Contact[]; dropped: number }> {
  if (raw === undefined) return { contacts: [], dropped: 0 };
  const list = (raw as { contacts?: unknown } | null)?.contacts;
  if (typeof raw !== 'object' || raw === null || (raw as { v?: unknown }).v !== 1 || !Array.isArray(list)) return { contacts: [], dropped: 1 };
  const contacts: Contact[] = [];
  let dropped = 0;
  for (const item of list.slice(0, MAX_CONTACTS) as unknown[]) {
    const r = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const name = r['name'];
    const key = await parseKey(r['key']);
    const newKey = r['newKey'] === null || r['newKey'] === undefined ? null : await parseKey(r['newKey']);
    const lastSeen = r['lastSeen'] ?? null;
    const ok =
      typeof name === 'string' &&
      nameProblem(name) === null &&
      !contacts.some((c) => c.name === name) &&
      key !== null &&
      (newKey !== null || r['newKey'] === null || r['newKey'] === undefined) &&
      isTime(r['addedAt']) &&
      (lastSeen === null || isTime(lastSeen));
    if (!ok) {
      dropped++;
      continue;
    }
    contacts.push({ name, key, newKey, favourite: r['favourite'] === true, addedAt: r['addedAt'] as number, lastSeen: lastSeen as number | null });
  }
  return { contacts, dropped: dropped + Math.max(0, list.length - MAX_CONTACTS) };
}
