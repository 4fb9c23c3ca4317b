/**
 * Chat that waits for people offline, on the simulated overlay: the phone's
 * 480 hands the text to OfflineTexts, which stores it; the recipient's
 * OfflineTexts puts it in the chat once (also when it came live too, or is
 * read by a second tab), the sender's chat goes stored → delivered → read,
 * a blocked sender's text never shows, and a damaged entry is refused with
 * a reason while the good text still arrives.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHexId, createRecord, webCryptoSigner } from '../overlay';
import { generateSigningKeyPair, MemoryKeyValueStore } from '../identity';
import { ChatHistory, type ChatMessage, type UndeliveredHandler } from '../sip';
import { overlayIo, textboxKey, type IsBlocked } from '../mail';
import { fakeResolver, makePerson, MailWorld, type Person } from '../mail/testing';
import { OfflineTexts } from './offline-texts';

/** What OfflineTexts needs of a phone: its chat, and the hook the UserAgent calls on a 480. */
class FakePhone {
  readonly chat: ChatHistory;
  undelivered: UndeliveredHandler | null = null;
  constructor(history = new MemoryKeyValueStore()) {
    this.chat = new ChatHistory(history);
  }
  setUndelivered(h: UndeliveredHandler | null): void {
    this.undelivered = h;
  }
  /** What UserAgent.sendMessage does when the MESSAGE gets 480: the handler decides the status. */
  async sendToNobodyOnline(peer: string, id: string, text: string, at: number): Promise<ChatMessage> {
    const msg: ChatMessage = { id, peer, direction: 'out', text, at, status: 'sending' };
    await this.chat.put(msg);
    const patch = (await this.undelivered?.(msg)) ?? { status: 'failed' };
    const done = { ...msg, ...patch };
    await this.chat.put(done);
    return done;
  }
}

describe('texts that wait for people who are offline', () => {
  const world = new MailWorld(10, 1819);
  let alice: Person, bob: Person, mallory: Person;
  let resolve: ReturnType<typeof fakeResolver>;
  const blocked: IsBlocked = ({ name }) => name === 'mallory';

  beforeAll(async () => {
    [alice, bob, mallory] = (await Promise.all(['alice', 'bob', 'mallory'].map(makePerson))) as [Person, Person, Person];
    resolve = fakeResolver([alice, bob, mallory]);
    await world.settle();
  });

  function texts(user: Person, phone: FakePhone, store = new MemoryKeyValueStore()): OfflineTexts {
    return new OfflineTexts({ io: overlayIo(world.sim.randomLive()), user, resolve, phone, store, isBlocked: blocked, clock: world.sim.clock, pollMs: 3_600_000 });
  }

  /**
   * world.run in small virtual steps: on a loaded machine the WebCrypto work
   * between steps is slow, and 1 s steps let the reads' 60 s timeouts pass.
   */
  const run = <T,>(p: Promise<T>): Promise<T> => world.run(p, undefined, 100);

  const entries = async (name: string): Promise<number> => {
    const keyHex = bytesToHexId(await textboxKey(name));
    const live = await run(world.io().get(await textboxKey(name)));
    // A tombstone is an entry too: only the ones that still hold a text count.
    return live.filter((r) => bytesToHexId(r.k) === keyHex && r.value.length > 100).length;
  };

  it('stores the text for bob when nobody is online, delivers it once when he is back, and moves alice’s mark from stored to delivered to read', async () => {
    const alicePhone = new FakePhone();
    const aliceTexts = texts(alice, alicePhone);
    const sent = await run(alicePhone.sendToNobodyOnline('bob', 'call-1@alice', 'are you there?', world.sim.clock.now()));
    expect(sent.status).toBe('stored');
    expect(await entries('bob')).toBe(1);

    // Bob comes back with two tabs on one profile's history: each reads the textbox.
    const history = new MemoryKeyValueStore();
    const bobPhone = new FakePhone(history);
    const bobStore = new MemoryKeyValueStore();
    const bobTexts = texts(bob, bobPhone, bobStore);
    const bobTab2 = texts(bob, new FakePhone(history), bobStore);
    await run(Promise.all([bobTexts.start(), bobTab2.start()]));
    await run(bobTexts.refresh());
    const got = await bobPhone.chat.load('alice');
    expect(got.map((m) => [m.id, m.text, m.direction])).toEqual([['call-1@alice', 'are you there?', 'in']]);
    expect(await entries('bob')).toBe(0);

    for (let poll = 0; poll < 5 && (await alicePhone.chat.load('bob'))[0]?.status !== 'delivered'; poll++) await run(aliceTexts.refresh());
    expect((await alicePhone.chat.load('bob')).map((m) => m.status)).toEqual(['delivered']);

    // Bob has the conversation on screen: "read" goes to alice. A mark stays owed until it is stored and is
    // read again at each poll (every 15 s in the app), so polls are repeated here as the app would: on a loaded
    // machine the simulator's clock can run past an RPC timeout while WebCrypto works.
    expect((await run(bobPhone.chat.markRead('alice', world.sim.clock.now()))).length).toBe(1);
    for (let poll = 0; poll < 5 && (await alicePhone.chat.load('bob'))[0]?.status !== 'read'; poll++) {
      await run(bobTexts.refresh());
      await run(aliceTexts.refresh());
    }
    expect((await alicePhone.chat.load('bob')).map((m) => m.status)).toEqual(['read']);
    for (const t of [aliceTexts, bobTexts, bobTab2]) t.close();
  });

  it('shows a text that came live and from the store once', async () => {
    const alicePhone = new FakePhone();
    const aliceTexts = texts(alice, alicePhone);
    await run(alicePhone.sendToNobodyOnline('bob', 'call-2@alice', 'twice?', world.sim.clock.now()));
    const bobPhone = new FakePhone();
    // The MESSAGE reached bob after all (its 200 OK was lost): the chat has it under the same id.
    await bobPhone.chat.put({ id: 'call-2@alice', peer: 'alice', direction: 'in', text: 'twice?', at: world.sim.clock.now(), status: 'received' });
    const bobTexts = texts(bob, bobPhone);
    await run(bobTexts.start());
    await run(bobTexts.refresh());
    expect((await bobPhone.chat.load('alice')).map((m) => m.text)).toEqual(['twice?']);
    for (const t of [aliceTexts, bobTexts]) t.close();
  });

  it('never shows a blocked sender’s text, and deletes it from the network', async () => {
    const malloryPhone = new FakePhone();
    const malloryTexts = texts(mallory, malloryPhone);
    expect((await run(malloryPhone.sendToNobodyOnline('bob', 'call-3@mallory', 'let me in', world.sim.clock.now()))).status).toBe('stored');
    const bobPhone = new FakePhone();
    const bobTexts = texts(bob, bobPhone);
    await run(bobTexts.start());
    expect(await bobPhone.chat.load('mallory')).toEqual([]);
    expect(await entries('bob')).toBe(0);
    // Mallory's mark never moves past "stored".
    await run(malloryTexts.refresh());
    expect((await malloryPhone.chat.load('bob')).map((m) => m.status)).toEqual(['stored']);
    for (const t of [malloryTexts, bobTexts]) t.close();
  });

  it('refuses a damaged entry with a reason and still delivers the good text', async () => {
    const alicePhone = new FakePhone();
    const aliceTexts = texts(alice, alicePhone);
    await run(alicePhone.sendToNobodyOnline('bob', 'call-4@alice', 'the good one', world.sim.clock.now()));
    const junk = await createRecord(await webCryptoSigner(await generateSigningKeyPair()), { key: await textboxKey('bob'), kind: 'dict', sub: '9'.repeat(32), value: new Uint8Array(2100).fill(7), version: 1, expires: world.sim.clock.now() + 3_600_000 });
    await run(world.io().put(junk));
    const bobPhone = new FakePhone();
    const bobTexts = texts(bob, bobPhone);
    await run(bobTexts.start());
    expect((await bobPhone.chat.load('alice')).map((m) => m.text)).toEqual(['the good one']);
    expect(bobTexts.getSnapshot().problems).toEqual([expect.stringMatching(/stored text message is invalid \(not a sealed entry\)/)]);
    expect(bobTexts.getSnapshot().error).toBeNull();
    for (const t of [aliceTexts, bobTexts]) t.close();
  });

  it('lets a text fail as before when nobody holds the name, with the reason', async () => {
    const alicePhone = new FakePhone();
    const aliceTexts = texts(alice, alicePhone);
    await expect(run(alicePhone.sendToNobodyOnline('nobody', 'call-5@alice', 'hello?', world.sim.clock.now()))).rejects.toThrow(/Nobody called "nobody"/);
    aliceTexts.close();
    expect(alicePhone.undelivered).toBeNull();
  });
});
