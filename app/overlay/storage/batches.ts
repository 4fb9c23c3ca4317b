/** Splits records into store/sync batches that respect the message limits. */
import { MAX_BATCH, MAX_MESSAGE_BYTES } from '../constants';
import { utf8Length } from '../../identity';
import type { WireRecord } from './record';

const BATCH_BYTES = Math.floor(MAX_MESSAGE_BYTES * 0.75);

export function recordBatches(records: readonly WireRecord[]): WireRecord[][] {
  const out: WireRecord[][] = [];
  let cur: WireRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = r.value.length + r.owner.length + r.sig.length + utf8Length(r.sub) + 64;
    if (cur.length > 0 && (cur.length >= MAX_BATCH || bytes + size > BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Records in sub-key order (UTF-16 code units, as `<` compares): the order dictionary pages come in. */
export function sortedBySub(records: readonly WireRecord[]): WireRecord[] {
  return [...records].sort((a, b) => (a.sub < b.sub ? -1 : a.sub > b.sub ? 1 : 0));
}
