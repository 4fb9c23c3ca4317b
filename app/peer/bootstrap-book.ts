/**
 * The bootstrap endpoints a tab remembers (IndexedDB, through the profile's
 * settings store), so that it can come back when every signaling server is
 * down: service peers' endpoints read from the DHT's bootstrap directory
 * (bootstrap-record.ts), and addresses the person was given (a
 * `?bootstrap=URL` link). The signaling client tries them after its
 * servers, best first: the one that last worked, then the others newest
 * first; its back-off (with ±25 % jitter) runs only when every one failed.
 *
 * The stored list is read back as untrusted (another version of the app, a
 * damaged database): entries that do not parse are dropped one by one, and
 * the list is bounded (MAX_REMEMBERED_BOOTSTRAPS, oldest forgotten first).
 */
import { createLogger, Listeners } from '../common';
import type { KeyValueStore } from '../identity';
import type { SignalingServerConfig } from '../transport';
import { bootstrapServer, type BootstrapEntry } from './bootstrap-record';

/** Where the list lives in the settings store. */
export const BOOTSTRAPS_KEY = 'bootstraps';
/** Most endpoints remembered. */
export const MAX_REMEMBERED_BOOTSTRAPS = 8;
/** An endpoint neither seen in the directory nor used for this long is forgotten (ms). */
export const FORGET_BOOTSTRAP_AFTER_MS = 30 * 24 * 3600_000;

/** One remembered endpoint. Times are ms since the epoch, by this machine's clock. */
export interface KnownBootstrap {
  /** The endpoint's URL, normalised (parseServerUrl). */
  url: string;
  /** The service peer's node ID, when the directory named it; null for an address the person gave. */
  nodeId: string | null;
  /** Where it came from: the DHT's directory, or the person (a link or Settings). */
  source: 'directory' | 'given';
  /** When it was last seen in the directory or given. */
  seenAt: number;
  /** When this tab last went online through it; null: never. */
  workedAt: number | null;
}

const log = createLogger('bootstraps');

function isKnown(v: unknown): v is KnownBootstrap {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return (
    typeof b['url'] === 'string' &&
    (b['nodeId'] === null || (typeof b['nodeId'] === 'string' && /^[0-9a-f]{40}$/.test(b['nodeId']))) &&
    (b['source'] === 'directory' || b['source'] === 'given') &&
    typeof b['seenAt'] === 'number' &&
    Number.isFinite(b['seenAt']) &&
    (b['workedAt'] === null || (typeof b['workedAt'] === 'number' && Number.isFinite(b['workedAt'])))
  );
}

/** Best first: the one that worked last, then those never used, newest seen first. */
function byPreference(a: KnownBootstrap, b: KnownBootstrap): number {
  return (b.workedAt ?? -1) - (a.workedAt ?? -1) || b.seenAt - a.seenAt || (a.url < b.url ? -1 : 1);
}

export class BootstrapBook {
  private list: KnownBootstrap[] = [];
  private readonly listeners = new Listeners<void>(log);

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the stored list; entries that are damaged or unusable are dropped. Never rejects. */
  async load(): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.store.get(BOOTSTRAPS_KEY);
    } catch {
      raw = undefined;
    }
    const loaded: KnownBootstrap[] = [];
    for (const v of Array.isArray(raw) ? raw : []) {
      if (!isKnown(v)) continue;
      try {
        const url = bootstrapServer(v.url).url;
        if (!loaded.some((b) => b.url === url)) loaded.push({ ...v, url });
      } catch {
        // An address this version cannot use: dropped.
      }
    }
    // Entries remembered earlier in this tab (given before the load finished) stay.
    for (const b of this.list) if (!loaded.some((x) => x.url === b.url)) loaded.push(b);
    this.list = loaded;
    this.prune();
    this.listeners.emit();
  }

  /** The remembered endpoints, best first. */
  known(): readonly KnownBootstrap[] {
    return this.list;
  }

  /** The endpoints as the signaling client takes them, best first. */
  servers(): SignalingServerConfig[] {
    return this.list.map((b) => bootstrapServer(b.url));
  }

  /** `fn` runs whenever the list changes. */
  onChange(fn: () => void): () => void {
    return this.listeners.add(fn);
  }

  /** Remembers what the directory says (checked entries only): each endpoint is added or refreshed. */
  learn(entries: readonly BootstrapEntry[]): void {
    const now = this.now();
    for (const e of entries) for (const s of e.servers) this.put(s.url, { nodeId: e.nodeId, source: 'directory', seenAt: now });
    this.changed();
  }

  /** Remembers an address the person gave (a link or Settings). Throws ServerUrlError or RangeError on an unusable one. */
  give(url: string): string {
    const normal = bootstrapServer(url).url;
    this.put(normal, { nodeId: null, source: 'given', seenAt: this.now() });
    this.changed();
    return normal;
  }

  /** Notes that this tab went online through `url` (one of the list): it becomes the first tried. */
  worked(url: string): void {
    const b = this.list.find((x) => x.url === url);
    if (!b) return;
    b.workedAt = this.now();
    this.changed();
  }

  private put(url: string, fields: Pick<KnownBootstrap, 'nodeId' | 'source' | 'seenAt'>): void {
    const old = this.list.find((x) => x.url === url);
    if (old) {
      old.seenAt = fields.seenAt;
      if (fields.nodeId) old.nodeId = fields.nodeId;
      if (fields.source === 'directory') old.source = 'directory';
    } else {
      this.list.push({ url, ...fields, workedAt: null });
    }
  }

  private prune(): void {
    const cutoff = this.now() - FORGET_BOOTSTRAP_AFTER_MS;
    this.list = this.list.filter((b) => Math.max(b.seenAt, b.workedAt ?? 0) >= cutoff).sort(byPreference).slice(0, MAX_REMEMBERED_BOOTSTRAPS);
  }

  private changed(): void {
    this.prune();
    this.store.set(BOOTSTRAPS_KEY, this.list.map((b) => ({ ...b }))).catch((e: unknown) => log.warn('could not save the bootstrap list', e));
    this.listeners.emit();
  }
}
