/**
 * Video mail between people whose clocks disagree (issue 13, "clocks that
 * disagree"): the manifest's and the fragments' expiry are set by the
 * sender's clock and read by the holders' and the recipient's, so within the
 * tolerated skew (10 minutes) a message is listed, fetched and receipted for
 * its whole lifetime, and it still goes once surely expired.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchMessage } from './fetch';
import { listMailbox } from './mailbox';
import { receiptFor, sendReceipt } from './receipts';
import type { MailOverlay } from './overlay-io';
import { sendMessage } from './send';
import { fakeResolver, makePerson, MailWorld, nodeCoder, type Person } from './testing/kit';

const MIN = 60_000;
/** The skew the issue asks every check to tolerate. */
const STATED_SKEW = 10 * MIN;
const coder = nodeCoder();
const recording = { bytes: new Uint8Array(20_000).map((_, i) => (i * 13) & 255), type: 'video/webm', durationMs: 3000, thumbnail: null };

describe('video mail between clocks that disagree', () => {
  const world = new MailWorld(10, 4014);
  let alice: Person, bob: Person;
  let resolve: ReturnType<typeof fakeResolver>;

  /** The overlay seen from a tab whose clock reads `offsetMs` off the holders' clocks. */
  const skewedIo = (offsetMs: number): MailOverlay => {
    const io = world.io();
    return { ...io, now: () => io.now() + offsetMs };
  };

  beforeAll(async () => {
    [alice, bob] = (await Promise.all(['alice', 'bob'].map(makePerson))) as [Person, Person];
    resolve = fakeResolver([alice, bob]);
    await world.settle();
  });

  it.each([
    { case: 'sender 6 min behind', sender: -6 * MIN, recipient: 0 },
    { case: 'recipient 6 min ahead', sender: 0, recipient: 6 * MIN },
  ])('$case: an 8-minute message is listed, fetched and receipted 3 minutes after sending, and goes when surely expired', async ({ sender, recipient }) => {
    const ttlMs = 8 * MIN;
    const sent = await world.run(sendMessage({ overlay: skewedIo(sender), coder, from: alice, to: 'bob', resolve, recording, settings: { k: 4, m: 8, fragmentBytes: 4 * 1024, ttlMs } }));
    const sentAt = world.sim.clock.now();
    await world.sim.run(3 * MIN);
    const listed = (await world.run(listMailbox(skewedIo(recipient), bob, resolve))).items.filter((i) => i.id === sent.id);
    expect(listed.map((i) => i.id)).toEqual([sent.id]);
    const got = await world.run(fetchMessage({ overlay: skewedIo(recipient), coder, manifest: listed[0]!.manifest, keys: bob }));
    expect(got.video).toEqual(recording.bytes);
    expect(await world.run(sendReceipt(skewedIo(recipient), await receiptFor(listed[0]!.manifest, listed[0]!.secrets)))).toBe(true);
    await world.sim.run(sentAt + ttlMs + 2 * STATED_SKEW + MIN - world.sim.clock.now());
    expect((await world.run(listMailbox(skewedIo(recipient), bob, resolve))).items.filter((i) => i.id === sent.id)).toEqual([]);
  }, 300_000);
});
