/** The read merge and the read-repair choice, on their own (read-merge.ts). */
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../identity';
import { cheapSigner } from '../sim/cheap-crypto';
import { newestEntries, staleAt, type ReplicaAnswer } from './read-merge';
import { createRecord, type WireRecord } from './record';

const KEY = new Uint8Array(20).fill(4);
const [alice, bob] = [1, 2].map((i) => cheapSigner(new Uint8Array(91).fill(i))) as [ReturnType<typeof cheapSigner>, ReturnType<typeof cheapSigner>];
const rec = (who: typeof alice, sub: string, value: string, version: number): Promise<WireRecord> =>
  createRecord(who, { key: KEY, kind: 'dict', sub, value: utf8(value), version, expires: 2_000_000_000_000 });
const text = (rs: readonly WireRecord[]): string[] => rs.map((r) => `${r.sub}=${fromUtf8(r.value)}`);

describe('read merge', () => {
  it('keeps the newest version of each entry, in sub-key order, whichever replica had it', async () => {
    const [a1, a2, b1, c1] = await Promise.all([rec(alice, 'a', 'a1', 1), rec(alice, 'a', 'a2', 2), rec(alice, 'b', 'b1', 1), rec(alice, 'c', 'c1', 1)]);
    const answers: ReplicaAnswer[] = [
      { replica: 'r0', records: [a1!, b1!], complete: true },
      { replica: 'r1', records: [c1!, a2!], complete: true },
      { replica: 'r2', records: [a1!], complete: false },
    ];
    const newest = newestEntries(answers);
    expect(text(newest)).toEqual(['a=a2', 'b=b1', 'c=c1']);
    expect(text(staleAt(answers[0]!, newest))).toEqual(['a=a2', 'c=c1']);
    expect(text(staleAt(answers[1]!, newest))).toEqual(['b=b1']);
    // It stopped paging part-way: only what it holds older is sent, not what it did not list.
    expect(text(staleAt(answers[2]!, newest))).toEqual(['a=a2']);
  });

  it('keeps rival owners of one sub-key apart, newest first, and repairs neither into the other', async () => {
    const [mine, theirs, mineOld] = await Promise.all([rec(alice, 'x', 'alice', 3), rec(bob, 'x', 'bob', 9), rec(alice, 'x', 'alice-old', 1)]);
    const answers: ReplicaAnswer[] = [
      { replica: 'r0', records: [mine!], complete: true },
      { replica: 'r1', records: [theirs!], complete: true },
      { replica: 'r2', records: [mineOld!], complete: true },
      { replica: 'r3', records: [], complete: true },
    ];
    const newest = newestEntries(answers);
    expect(text(newest)).toEqual(['x=bob', 'x=alice']);
    expect(staleAt(answers[0]!, newest)).toEqual([]);
    expect(staleAt(answers[1]!, newest)).toEqual([]);
    expect(text(staleAt(answers[2]!, newest))).toEqual(['x=alice']);
    // An empty slot is not filled with either rival.
    expect(staleAt(answers[3]!, newest)).toEqual([]);
  });
});
