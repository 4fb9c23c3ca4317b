/**
 * Mailbox polling must stay up by itself (issue 13, kind 5): a start whose
 * stored lists cannot be read, a read the network does not answer, and a
 * read receipt that could not be stored are all tried again; the real
 * MailService on the simulated overlay (real ECDSA and AES).
 */
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore, type UserIdentity } from '../identity';
import { bytesToHexId, type OverlayNode } from '../overlay';
import { DEFAULT_FRAGMENT_BYTES, mailboxKey, overlayIo, readReceipts, sendMessage, type MailOverlay } from '../mail';
import { fakeResolver, makePerson, MailWorld, nodeCoder, type Person } from '../mail/testing';
import { MailService } from './mail-service';

const settings = { k: 2, m: 4, fragmentBytes: DEFAULT_FRAGMENT_BYTES, ttlMs: 30 * 24 * 3600_000 };

function identityOf(p: Person): UserIdentity {
  return { userId: p.name.padEnd(40, '0'), signingSpki: p.signSpki, signingPrivateKey: p.signingPrivateKey, ecdhSpki: p.ecdhSpki, ecdhPublicKey: p.ecdhPublicKey, ecdhPrivateKey: p.ecdhPrivateKey };
}

/** A store whose reads fail while `broken` is above zero (IndexedDB can fail now and then), and which can call back on writes. */
class FlakyStore extends MemoryKeyValueStore {
  brokenKeys = 0;
  onSet: ((key: string) => void) | null = null;
  override async keys(): Promise<string[]> {
    if (this.brokenKeys > 0) {
      this.brokenKeys--;
      throw new Error('the browser’s storage did not answer');
    }
    return super.keys();
  }
  override async set(key: string, value: unknown): Promise<void> {
    this.onSet?.(key);
    return super.set(key, value);
  }
}

async function world() {
  const w = new MailWorld(8, 513);
  const [alice, bob] = (await Promise.all(['alice', 'bob'].map(makePerson))) as [Person, Person];
  const resolve = fakeResolver([alice, bob]);
  await w.settle();
  const sent = await w.run(sendMessage({ overlay: w.io(), coder: nodeCoder(), from: alice, to: 'bob', resolve, recording: { bytes: new Uint8Array(3000).fill(7), type: 'video/webm', durationMs: 2000, thumbnail: null }, settings }));
  const live = w.sim.liveIds();
  const bobNode = w.sim.nodes.get(live[0]!)! as OverlayNode;

  return { w, alice, bob, resolve, sent, bobNode };
}

/** Runs virtual time (and the real event loop, for WebCrypto) until `cond` holds or `ms` of virtual time passed. */
async function until(w: MailWorld, cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = w.sim.clock.now() + ms;
  while (w.sim.clock.now() < end) {
    if (await cond()) return true;
    await w.sim.run(500);
    await new Promise((r) => setImmediate(r));
  }
  return cond();
}

describe('mailbox polling that must stay up', () => {
  it('reads and polls the mailbox even when the stored lists could not be read at the start', async () => {
    const { w, bob, resolve, bobNode } = await world();
    const store = new FlakyStore();
    store.brokenKeys = 1;
    const mail = new MailService({ node: bobNode, user: identityOf(bob), name: 'bob', resolve, store, coder: nodeCoder(), clock: w.sim.clock });
    try {
      void mail.start().catch(() => undefined);
      expect(await until(w, () => mail.getSnapshot().items.length === 1, 60_000)).toBe(true);
      expect(mail.getSnapshot().items[0]!.from).toBe('alice');
    } finally {
      mail.close();
    }
  }, 120_000);

  it('sends a read receipt again until it is stored, when the network failed as the message was played', async () => {
    const { w, alice, bob, resolve, sent, bobNode } = await world();
    // Bob's tab can read but not store while `down`: the receipt written as the message plays is not taken.
    let down = false;
    const real = overlayIo(bobNode);
    const io: MailOverlay = { ...real, put: (r) => (down ? Promise.reject(new Error('the network did not answer')) : real.put(r)) };
    const store = new FlakyStore();
    const mail = new MailService({ node: bobNode, user: identityOf(bob), name: 'bob', resolve, store, coder: nodeCoder(), clock: w.sim.clock, io });
    try {
      void mail.start();
      expect(await until(w, () => mail.getSnapshot().items.length === 1, 60_000)).toBe(true);
      down = true;
      await w.run(mail.play(sent.id));
      await w.sim.run(20_000);
      const seen = () => w.run(readReceipts(w.io(), alice.name, [sent])).then((m) => m.has(sent.id));
      expect(await seen()).toBe(false);
      expect(await store.get(`mail-receipt-due:${sent.id}`)).toMatchObject({ id: sent.id, from: 'alice' });
      down = false;
      expect(await until(w, seen, 60_000)).toBe(true);
      expect(await until(w, async () => (await store.get(`mail-receipt-due:${sent.id}`)) === undefined, 5000)).toBe(true);
    } finally {
      mail.close();
    }
  }, 180_000);

  it('says in words when the mailbox cannot be read and when it is tried again, backing off, and recovers by itself', async () => {
    const { w, bob, resolve, bobNode } = await world();
    let down = true;
    const real = overlayIo(bobNode);
    const io: MailOverlay = { ...real, get: (k, sub) => (down ? Promise.reject(new Error('the network did not answer in time')) : real.get(k, sub)) };
    const mail = new MailService({ node: bobNode, user: identityOf(bob), name: 'bob', resolve, store: new FlakyStore(), coder: nodeCoder(), clock: w.sim.clock, io });
    try {
      await w.run(mail.start());
      const first = mail.getSnapshot();
      expect(first.error).toBe('The mailbox could not be read: the network did not answer in time');
      expect(first.retryAt).toBe(w.sim.clock.now() + 2000);
      // The second failure waits longer than the first.
      // Sim time moves only while the service waits, never during a try (a failing try here needs no network time):
      // on a loaded machine a try's own work takes real time, and moving sim time meanwhile ran it past its time limit.
      const deadline = Date.now() + 30_000;
      while (!((mail.getSnapshot().retryAt ?? 0) > first.retryAt!) && Date.now() < deadline) {
        if (mail.getSnapshot().refreshing) await new Promise((r) => setTimeout(r, 5));
        else await w.sim.run(500);
      }
      expect(mail.getSnapshot().retryAt! - w.sim.clock.now()).toBeGreaterThan(2000);
      down = false;
      expect(await until(w, () => mail.getSnapshot().items.length === 1 && mail.getSnapshot().error === null, 60_000)).toBe(true);
      expect(mail.getSnapshot().retryAt).toBeNull();
    } finally {
      mail.close();
    }
  }, 120_000);

  it('drops mail from a blocked sender: never listed, never fetched, and deleted from the mailbox and every fragment holder', async () => {
    const { w, bob, resolve, bobNode, sent } = await world();
    const real = overlayIo(bobNode);
    let blobReads = 0;
    const io: MailOverlay = { ...real, getBlob: (k) => (blobReads++, real.getBlob(k)) };
    const mail = new MailService({ node: bobNode, user: identityOf(bob), name: 'bob', resolve, store: new MemoryKeyValueStore(), coder: nodeCoder(), clock: w.sim.clock, io, isBlocked: (s) => s.name === 'alice' });
    try {
      void mail.start();
      const box = await mailboxKey('bob');
      // The entry becomes a tombstone (an entry with no manifest) once the blocked message is deleted.
      const entryGone = async () => (await w.run(real.get(box, sent.id))).every((r) => r.value.length < 100);
      // Every holder of every fragment keeps only a tombstone: the bytes are gone without bob ever fetching them.
      const fragmentKeys = Array.from({ length: sent.keys.length / 20 }, (_, i) => bytesToHexId(sent.keys.subarray(i * 20, i * 20 + 20)));
      const fragmentsGone = () => fragmentKeys.every((k) => w.holders(k).length > 0 && w.holders(k).every((id) => w.sim.nodes.get(id)!.localRecord(k)!.value.length === 0));
      expect(await until(w, async () => (await entryGone()) && fragmentsGone(), 60_000)).toBe(true);
      expect(mail.getSnapshot().items).toEqual([]);
      expect(mail.getSnapshot().problems).toEqual([]);
      expect(blobReads).toBe(0);
    } finally {
      mail.close();
    }
  }, 120_000);
});
