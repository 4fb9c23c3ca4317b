/**
 * A dictionary longer than one reply (over 64 entries, or over ~450 KB) is
 * read whole, page by page; replicas that page wrongly or stop half-way are
 * worked around, and a reader never loops on them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesToHexId, idFromHex } from '../id';
import type { Message } from '../messages';
import type { ChordNode } from '../node';
import { SeededRandom, randomBytes } from '../../common';
import { cheapSigner } from '../sim/cheap-crypto';
import { Simulation } from '../sim/simulation';
import { getRecords } from './client';
import { putRecord } from './put';
import { createRecord, type WireRecord } from './record';

const R = 4;
const KEY = new Uint8Array(20).fill(0x5a);

type Fetch = Extract<Message, { t: 'fetch' }>;

describe('long dictionaries', () => {
  const sim = new Simulation({ seed: 31, network: { linkEvents: false }, overlay: { successors: R } });
  const subs: string[] = [];
  let replicas: string[] = [];
  let reader: ChordNode;

  beforeAll(async () => {
    sim.buildByOracle(24);
    await sim.run(5_000);
    const rng = new SeededRandom(5);
    // Several writers, as in a mailbox: 150 small entries and 60 of 12 KB (together ~1 MB, over two
    // byte-limited pages as well as past the 64-entry page size).
    const writers = [0, 1, 2].map((i) => cheapSigner(randomBytes(rng, 91 + i)));
    for (let i = 0; i < 210; i++) {
      const sub = `entry-${String(i).padStart(3, '0')}`;
      const value = i < 150 ? new TextEncoder().encode(`small ${i}`) : randomBytes(rng, 12 * 1024);
      const rec = await createRecord(writers[i % 3]!, { key: KEY, kind: 'dict', sub, value, version: 1, expires: sim.clock.now() + 3_600_000 });
      const put = await sim.until(putRecord(sim.randomLive(), rec));
      expect(put.stored.length, sub).toBe(R);
      subs.push(sub);
    }
    replicas = sim.replicaIds(idFromHex(bytesToHexId(KEY)), R);
    reader = [...sim.nodes.values()].find((n) => !replicas.includes(n.id))!;
  });

  const read = async (): Promise<string[]> => (await sim.until(getRecords(reader, KEY))).map((r) => r.sub).sort();

  it('reads every entry of a dictionary that takes several replies', async () => {
    expect(await read()).toEqual(subs);
    const one = await sim.until(getRecords(reader, KEY, { sub: 'entry-177' }));
    expect(one.map((r) => r.sub)).toEqual(['entry-177']);
  });

  it('a replica that stops answering after the first page: the rest comes from another', async () => {
    const first = sim.nodes.get(replicas[0]!)!;
    const honest = first.replication.handleFetch.bind(first.replication);
    first.replication.handleFetch = (from: string, msg: Fetch) => {
      if (msg.after === undefined) honest(from, msg);
    };
    try {
      expect(await read()).toEqual(subs);
    } finally {
      first.replication.handleFetch = honest;
    }
  });

  it('replicas that page wrongly (the same page again, "more" forever, empty pages) end the read with what others give', async () => {
    const liars = replicas.slice(0, R - 1).map((id) => sim.nodes.get(id)!);
    const restore: (() => void)[] = [];
    let asked = 0;
    liars.forEach((node, i) => {
      const honest = node.replication.handleFetch.bind(node.replication);
      restore.push(() => (node.replication.handleFetch = honest));
      node.replication.handleFetch = (from: string, msg: Fetch) => {
        asked++;
        const send = (records: WireRecord[]): void => node.rpc.send(from, { t: 'fetched', id: msg.id, records, more: true });
        const all = node.replication.store.list(bytesToHexId(KEY), sim.clock.now()).sort((a, b) => (a.sub < b.sub ? -1 : 1));
        if (i === 0) send(all.slice(0, 10)); // always the first page
        else if (i === 1) send(msg.after === undefined ? all.slice(0, 10) : []); // then nothing, yet "more"
        else send(msg.after === undefined ? all.slice(0, 10).reverse() : all.slice(0, 10)); // out of order
      };
    });
    try {
      expect(await read()).toEqual(subs);
      // Each liar cost at most two requests: no reader loops on a replica that pages wrongly.
      expect(asked).toBeLessThanOrEqual(2 * liars.length);
    } finally {
      for (const r of restore) r();
    }
  });

  it('when every replica stops half-way, the longest part read is returned rather than nothing', async () => {
    const restore: (() => void)[] = [];
    for (const id of replicas) {
      const node = sim.nodes.get(id)!;
      const honest = node.replication.handleFetch.bind(node.replication);
      restore.push(() => (node.replication.handleFetch = honest));
      node.replication.handleFetch = (from: string, msg: Fetch) => {
        if (msg.after === undefined) honest(from, msg);
      };
    }
    try {
      const got = await read();
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(subs.length);
      expect(got.every((s) => subs.includes(s))).toBe(true);
    } finally {
      for (const r of restore) r();
    }
  });
});
