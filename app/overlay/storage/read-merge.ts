/**
 * Merging what several replicas answered to one read, and finding what each
 * of them should be sent back (read repair, as in Dynamo, DeCandia et al.,
 * SOSP 2007, §4.7 and §5). Pure functions: the client does the I/O.
 *
 * Writes are taken by any replica and count as done when one replica stored
 * them, so replicas can differ for a while (a store lost on the way, a
 * replica that was cut off). The merge is the replicas' own merge rule
 * (record.ts `compareRecords`: higher version, then signature bytes), applied
 * per entry and per owner: the access rule keeps a live entry in its owner's
 * hands, so two owners' rival entries under one sub-key (written while the
 * network was split) are both kept, newest first, and the caller decides
 * whose counts (the name's owner for SIP contacts, the recipient for mail).
 */
import { equalBytes, toHex } from '../../identity';
import { sortedBySub } from './batches';
import { compareRecords, type WireRecord } from './record';

/** What one replica answered: its checked records, and whether it sent all it holds under the key. */
export interface ReplicaAnswer {
  readonly replica: string;
  readonly records: readonly WireRecord[];
  /** False when it stopped paging part-way through a long dictionary: absence there proves nothing. */
  readonly complete: boolean;
}

const slot = (r: WireRecord): string => r.sub + '\u0000' + toHex(r.owner);

/**
 * The newest record of each (sub-key, owner) over all answers, in sub-key
 * order (UTF-16 code units) and, within a sub-key, the merge winner first.
 */
export function newestEntries(answers: readonly ReplicaAnswer[]): WireRecord[] {
  const best = new Map<string, WireRecord>();
  for (const a of answers) {
    for (const r of a.records) {
      const held = best.get(slot(r));
      if (!held || compareRecords(r, held) > 0) best.set(slot(r), r);
    }
  }
  // A stable sort by sub-key keeps the winner-first order made here within each sub-key.
  return sortedBySub([...best.values()].sort((a, b) => compareRecords(b, a)));
}

/**
 * The records of `newest` that one replica should be sent: those it holds an
 * older version of, and, when its answer was complete, those it lacks (unless
 * rival owners hold that sub-key elsewhere). An entry held there by another
 * owner is left alone: the replica would refuse it ('wrong-owner'), and which
 * owner is right is not the reader's call.
 */
export function staleAt(answer: ReplicaAnswer, newest: readonly WireRecord[]): WireRecord[] {
  const held = new Map<string, WireRecord[]>();
  for (const r of answer.records) {
    const list = held.get(r.sub);
    if (list) list.push(r);
    else held.set(r.sub, [r]);
  }
  const owners = new Map<string, number>();
  for (const r of newest) owners.set(r.sub, (owners.get(r.sub) ?? 0) + 1);
  const out: WireRecord[] = [];
  for (const r of newest) {
    const there = held.get(r.sub);
    if (!there) {
      // An empty slot is filled only where the owner is not disputed: whose rival copy should spread is not the reader's call either.
      if (answer.complete && owners.get(r.sub) === 1) out.push(r);
      continue;
    }
    const same = there.find((h) => equalBytes(h.owner, r.owner));
    if (same && compareRecords(r, same) > 0) out.push(r);
  }
  return out;
}
