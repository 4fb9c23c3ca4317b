/**
 * The service peer's data directory: `node-key.json` (its node identity) and
 * `records/` (LevelDB). Everything here refuses to lose data: a damaged key
 * file or database stops the peer with a sentence saying what is wrong and
 * what to do, and `--start-fresh` moves the damaged thing aside (renamed,
 * never deleted) before making a new one. Damaged record entries are moved
 * to a quarantine prefix in the same database and counted.
 */
import { accessSync, constants, mkdirSync, readdirSync, renameSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { canonicalDecode, NO_ID_PUZZLE, type IdPuzzleDifficulty, type NodeIdentity } from '../identity';
import { checkRecord, isWireRecord, webCryptoVerifier } from '../overlay';
import { KeyBeforePuzzleError, KeyFileError, loadOrCreateNodeKey } from './key-file';
import { LevelKeyValueStore } from './level-store';

export const KEY_FILE = 'node-key.json';
export const RECORDS_DIR = 'records';
/** Where RecordStore keeps its entries (app/overlay/storage/record-store.ts). */
export const RECORD_PREFIX = 'overlay-record:';
export const QUARANTINE_PREFIX = 'quarantine:';

export class DataDirError extends Error {
  override name = 'DataDirError';
}

type Log = (line: string) => void;

/** Makes sure `dir` is a writable directory (creating it, mode 0700); returns its absolute path. */
export function prepareDataDir(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new DataDirError(`--data ${dir}: that is a file, not a directory. Give a directory (it is made if missing).`);
  } else {
    try {
      mkdirSync(abs, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DataDirError(`--data ${dir}: the directory cannot be made (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
    }
  }
  try {
    accessSync(abs, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(`--data ${dir}: this user may not read and write that directory.`);
  }
  return abs;
}

function aside(path: string, log: Log, why = 'damaged'): string {
  const to = `${path}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(path, to);
  log(`moved the ${why} ${path} aside to ${to} (nothing deleted)`);
  return to;
}

/** The node identity from DIR/node-key.json, made on first start. */
export async function openNodeKey(
  dir: string,
  startFresh: boolean,
  log: Log,
  idPuzzle: IdPuzzleDifficulty = NO_ID_PUZZLE,
): Promise<{ identity: NodeIdentity; created: boolean }> {
  const path = join(dir, KEY_FILE);
  try {
    return await loadOrCreateNodeKey(path, idPuzzle, log);
  } catch (e) {
    if (!(e instanceof KeyFileError)) throw new DataDirError(`${path} cannot be read: ${(e as Error).message}`);
    if (e instanceof KeyBeforePuzzleError) {
      // The file is sound, and no operator choice can mend it: every peer of the overlay refuses
      // this key now. Keep it aside and start with a new key (and node ID); the records stay.
      log(`${e.message} Making a new one.`);
      aside(path, log, 'before-id-puzzle');
      return loadOrCreateNodeKey(path, idPuzzle, log);
    }
    if (!startFresh) throw new DataDirError(`${e.message}\nOr start again with --start-fresh: the damaged file is kept beside it and the peer gets a new node ID.`);
    aside(path, log);
    return loadOrCreateNodeKey(path, idPuzzle, log);
  }
}

/** Opens DIR/records; a damaged database stops the peer unless startFresh, which moves it aside. */
export async function openRecordDb(dir: string, startFresh: boolean, log: Log): Promise<LevelKeyValueStore> {
  const path = join(dir, RECORDS_DIR);
  try {
    return await LevelKeyValueStore.open(path);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw new DataDirError(`${path} is in use by another running service peer; give each peer its own --data directory.`);
    const why = cause?.message ?? (e as Error).message;
    if (!startFresh) {
      throw new DataDirError(`the record database ${path} cannot be opened (${why}).\nStart again with --start-fresh to keep it aside and begin with an empty one (records come back from the other replicas), or repair it yourself.`);
    }
    if (existsSync(path)) aside(path, log);
    return LevelKeyValueStore.open(path);
  }
}

/**
 * Moves entries that are not valid records (damaged bytes, bad signatures)
 * to the quarantine prefix, where they stay for a person to look at; the
 * overlay would otherwise delete them when it loads. Expired records are
 * left for the overlay to drop. Returns how many were moved.
 */
export async function quarantineDamaged(db: LevelKeyValueStore, now: number, log: Log): Promise<number> {
  const entries = await db.rawEntries(RECORD_PREFIX);
  const problems: (string | null)[] = [];
  // Signature checks run on the thread pool: a few at once make a restart with many records faster.
  for (let i = 0; i < entries.length; i += CHECKS_AT_ONCE) {
    problems.push(...(await Promise.all(entries.slice(i, i + CHECKS_AT_ONCE).map(([, raw]) => problemOf(raw, now)))));
  }
  let moved = 0;
  for (const [i, [key]] of entries.entries()) {
    const problem = problems[i];
    if (problem === null || problem === undefined) continue;
    await db.rename(key, QUARANTINE_PREFIX + key);
    log(`record entry ${key.slice(RECORD_PREFIX.length, RECORD_PREFIX.length + 16)}… is damaged (${problem}); kept aside under ${QUARANTINE_PREFIX}`);
    moved++;
  }
  return moved;
}

const CHECKS_AT_ONCE = 32;

/** What is wrong with one stored entry, or null (expired records are the overlay's to drop). */
async function problemOf(raw: Uint8Array, now: number): Promise<string | null> {
  try {
    if (raw[0] !== 1) return 'not stored as bytes';
    const r = canonicalDecode(raw.subarray(1));
    if (!isWireRecord(r)) return 'not a record';
    const refusal = await checkRecord(r, now, webCryptoVerifier);
    return refusal && refusal !== 'expired' ? refusal : null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Bytes of the files under `dir` (the database's real disk use). */
export function diskUse(dir: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      total += entry.isDirectory() ? diskUse(p) : statSync(p).size;
    }
  } catch {
    // a file vanished while LevelDB compacted
  }
  return total;
}
