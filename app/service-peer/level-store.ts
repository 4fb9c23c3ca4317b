/**
 * A KeyValueStore on disk (LevelDB via classic-level, which ships its native
 * binary in the npm package), for the service peer's records. Every write is
 * synced to disk before it resolves, so an acknowledged record survives a
 * crash. Values are bytes (what the overlay stores) or JSON.
 */
import { ClassicLevel } from 'classic-level';
import type { KeyValueStore } from '../identity';

const BYTES = 1;
const JSON_VALUE = 2;

function encode(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(value.length + 1);
    out[0] = BYTES;
    out.set(value, 1);
    return out;
  }
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('value cannot be stored');
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(body.length + 1);
  out[0] = JSON_VALUE;
  out.set(body, 1);
  return out;
}

function decode(raw: Uint8Array): unknown {
  const body = raw.subarray(1);
  if (raw[0] === BYTES) return new Uint8Array(body);
  if (raw[0] === JSON_VALUE) return JSON.parse(new TextDecoder().decode(body)) as unknown;
  throw new Error('unknown value tag on disk');
}

export class LevelKeyValueStore implements KeyValueStore {
  private constructor(private readonly db: ClassicLevel<string, Uint8Array>) {}

  static async open(dir: string): Promise<LevelKeyValueStore> {
    const db = new ClassicLevel<string, Uint8Array>(dir, { valueEncoding: 'view' });
    await db.open();
    return new LevelKeyValueStore(db);
  }

  async get(key: string): Promise<unknown> {
    const raw = await this.db.get(key);
    if (raw === undefined) return undefined;
    try {
      return decode(raw);
    } catch {
      // A damaged value reads as absent; the overlay re-replicates it from a peer.
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.db.put(key, encode(value), { sync: true });
  }

  async del(key: string): Promise<void> {
    await this.db.del(key, { sync: true });
  }

  async keys(): Promise<string[]> {
    return this.db.keys().all();
  }

  /** Every entry whose key starts with `prefix`, as stored (tag byte and all), for checks at start. */
  async rawEntries(prefix: string): Promise<[string, Uint8Array][]> {
    return this.db.iterator({ gte: prefix, lt: prefix + '\uffff' }).all();
  }

  /** Moves an entry to another key, bytes unchanged, in one synced batch. */
  async rename(from: string, to: string): Promise<void> {
    const raw = await this.db.get(from);
    if (raw === undefined) return;
    await this.db.batch([{ type: 'put', key: to, value: raw }, { type: 'del', key: from }], { sync: true });
  }

  /** Bytes on disk, roughly (LevelDB's own estimate). */
  async approximateSize(): Promise<number> {
    return this.db.approximateSize('', '\uffff');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
