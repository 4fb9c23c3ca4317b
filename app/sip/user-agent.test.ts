import { afterEach, describe, expect, it } from 'vitest';
import JsSIP from 'jssip';
import { MemoryKeyValueStore } from '../identity';
import { ChatHistory, MAX_CHAT_BYTES } from './chat-history';
import { UserAgent } from './user-agent';
import { MemorySipOverlay, when } from './testing';

JsSIP.debug.disable();
const phones: UserAgent[] = [];
afterEach(() => phones.splice(0).forEach((p) => p.stop()));

async function phone(o: MemorySipOverlay, name: string, node: string, history = new MemoryKeyValueStore()) {
  const p = new UserAgent({ network: o.network(node), location: o.location(node), policy: async () => ({ allow: true, reason: '' }), domain: 'p2p.local', name, history });
  phones.push(p);
  await p.start();
  return { p, history };
}

const id = (n: number) => n.toString(16).padStart(40, '0');

describe('UserAgent chat', () => {
  it('delivers messages once and in order, and keeps them across a reload', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    const bob = await phone(o, 'bob', id(2));
    expect(alice.p.getSnapshot().registration).toBe('registered');
    const sent = [];
    for (const t of ['one', 'two', 'three']) sent.push(await alice.p.sendMessage('bob', t));
    expect(sent.map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
    await when(bob.p.subscribe, async () => (await bob.p.chat.load('alice')).length === 3);
    expect((await bob.p.chat.load('alice')).map((m) => m.text)).toEqual(['one', 'two', 'three']);
    // A reloaded tab reads the same history from its store.
    const again = new ChatHistory(bob.history);
    expect((await again.load('alice')).map((m) => [m.text, m.direction])).toEqual([
      ['one', 'in'],
      ['two', 'in'],
      ['three', 'in'],
    ]);
    expect((await new ChatHistory(alice.history).load('bob')).map((m) => m.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('says in words why a message could not be delivered, and refuses empty or huge ones', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    const m = await alice.p.sendMessage('carol', 'hello?');
    expect(m.status).toBe('failed');
    expect(m.error).toBe('nobody has the name carol');
    o.registrations.set('dave', new Set([id(9)]));
    expect((await alice.p.sendMessage('dave', 'hi')).error).toBe('dave is not online');
    await expect(alice.p.sendMessage('bob', '   ')).rejects.toThrow(/empty/);
    await expect(alice.p.sendMessage('bob', 'x'.repeat(5000))).rejects.toThrow(/too long/);
  });

  it('counts the length limit in bytes: 2-, 3- and 4-byte characters up to the limit arrive whole, one more is refused', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    const bob = await phone(o, 'bob', id(2));
    const wide = [
      { c: 'ñ', bytes: 2 },
      { c: '€', bytes: 3 },
      { c: '😀', bytes: 4 },
    ];
    const texts = wide.map(({ c, bytes }) => c.repeat(Math.floor(MAX_CHAT_BYTES / bytes)));
    for (const t of texts) expect((await alice.p.sendMessage('bob', t)).status).toBe('sent');
    await when(bob.p.subscribe, async () => (await bob.p.chat.load('alice')).length === texts.length);
    expect((await bob.p.chat.load('alice')).map((m) => m.text)).toEqual(texts);
    // Each is one character over: fewer UTF-16 units than the limit, more bytes.
    for (const [i, { c }] of wide.entries()) await expect(alice.p.sendMessage('bob', texts[i] + c)).rejects.toThrow(/too long: 40\d\d bytes/);
  });

  it('hands a message that finds nobody online to the undelivered handler, which may keep it for later; otherwise it fails as before', async () => {
    const o = new MemorySipOverlay();
    const alice = await phone(o, 'alice', id(1));
    o.registrations.set('dave', new Set([id(9)]));
    const kept: string[] = [];
    alice.p.setUndelivered(async (m) => {
      kept.push(`${m.peer}:${m.text}:${m.status}`);
      return { status: 'stored' };
    });
    const m = await alice.p.sendMessage('dave', 'wait for me');
    expect(m.status).toBe('stored');
    expect(kept).toEqual(['dave:wait for me:sending']);
    expect((await alice.p.chat.load('dave')).map((x) => [x.id, x.status])).toEqual([[m.id, 'stored']]);
    // A name nobody holds is not kept: there is nobody to keep it for.
    expect((await alice.p.sendMessage('carol', 'hello?')).status).toBe('failed');
    expect(kept.length).toBe(1);
    alice.p.setUndelivered(() => Promise.reject(new Error('no replica took it')));
    const lost = await alice.p.sendMessage('dave', 'again');
    expect([lost.status, lost.error]).toEqual(['failed', 'dave is not online, and it could not be kept for later: no replica took it']);
    alice.p.setUndelivered(null);
    expect((await alice.p.sendMessage('dave', 'plain')).status).toBe('failed');
  });

  it('shows what changes the chat outside sending and receiving (a stored text delivered, a mark) as a new chat version', async () => {
    const o = new MemorySipOverlay();
    const bob = await phone(o, 'bob', id(2));
    const v0 = bob.p.getSnapshot().chatVersion;
    expect(await bob.p.chat.putIfAbsent({ id: 'c1', peer: 'alice', direction: 'in', text: 'from the store', at: 1, status: 'received' })).toBe(true);
    expect(bob.p.getSnapshot()).toMatchObject({ chatVersion: v0 + 1, lastMessageFrom: 'alice' });
    expect(await bob.p.chat.putIfAbsent({ id: 'c1', peer: 'alice', direction: 'in', text: 'from the store', at: 1, status: 'received' })).toBe(false);
    expect(bob.p.getSnapshot().chatVersion).toBe(v0 + 1);
    const read: string[] = [];
    bob.p.chat.onRead((r) => read.push(...r.messages.map((x) => `${r.peer}/${x.id}`)));
    expect((await bob.p.chat.markRead('alice', 5)).map((x) => x.readAt)).toEqual([5]);
    expect(await bob.p.chat.markRead('alice', 6)).toEqual([]);
    expect(read).toEqual(['alice/c1']);
    expect((await bob.p.chat.load('alice')).length).toBe(1);
  });
});
