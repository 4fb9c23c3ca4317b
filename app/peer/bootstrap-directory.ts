/**
 * The bootstrap directory on the overlay (format in bootstrap-record.ts): a
 * service peer with a bootstrap endpoint writes its entry once it is in a
 * ring and again every BOOTSTRAP_REFRESH_MS (BootstrapPublisher); a tab
 * reads the directory once it is in a ring and every few minutes after,
 * and remembers what it finds (BootstrapReader into a BootstrapBook).
 * Both retry a failed or premature attempt sooner, doubling from a few
 * seconds, so a ring that is still forming costs little.
 */
import { createLogger, systemClock, type Clock } from '../common';
import { webCryptoVerifier, type OverlayNode, type RecordSigner, type RecordVerifier } from '../overlay';
import type { BootstrapBook } from './bootstrap-book';
import { BOOTSTRAP_REFRESH_MS, BOOTSTRAP_REFUSAL_WORDS, bootstrapKey, checkBootstrapEntries, makeBootstrapEntry, type BootstrapRead } from './bootstrap-record';

/** How often a tab reads the directory once it has read it (ms). */
export const BOOTSTRAP_READ_EVERY_MS = 5 * 60_000;
/** The first retry of an attempt that failed or came before the ring (ms); it doubles up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 3000;
/** The longest wait between retries (ms): a ring that formed late is written to (or read) within a minute. */
const MAX_RETRY_MS = 60_000;

const log = createLogger('bootstraps');

/**
 * Runs `attempt` when `node` is in a ring: again after `everyMs` when it
 * says it succeeded, sooner (3 s doubling, at most 1 min) when it failed, threw or the
 * node was not in a ring yet. stop() ends it.
 */
class Repeat {
  private timer: unknown = null;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;

  constructor(
    private readonly node: OverlayNode,
    private readonly everyMs: number,
    private readonly attempt: () => Promise<boolean>,
    private readonly clock: Clock,
  ) {}

  start(firstInMs = 0): void {
    this.schedule(firstInMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.run(), ms);
  }

  private async run(): Promise<void> {
    this.timer = null;
    let ok = false;
    if (this.node.joined && !this.node.isClosed) ok = await this.attempt().catch(() => false);
    const wait = ok ? this.everyMs : this.retryMs;
    this.retryMs = ok ? FIRST_RETRY_MS : Math.min(this.retryMs * 2, MAX_RETRY_MS, this.everyMs);
    this.schedule(wait);
  }
}

export interface BootstrapPublisherOptions {
  node: OverlayNode;
  /** The node key: its node ID is the entry's sub-key. */
  signer: RecordSigner;
  /** The overlay's name (p2p.local). */
  overlay: string;
  /** The endpoint's public URLs (1..4), as tabs should reach them. */
  urls: readonly string[];
  /** Where each write's outcome is written, in words. */
  log?: (line: string) => void;
  clock?: Clock;
}

/** Keeps a service peer's entry in the directory while it runs. */
export class BootstrapPublisher {
  private readonly repeat: Repeat;
  /** Writes that some replica stored, since start. */
  published = 0;
  /** Whether some other node has held the entry since start. */
  private spread = false;

  constructor(private readonly o: BootstrapPublisherOptions) {
    this.repeat = new Repeat(o.node, BOOTSTRAP_REFRESH_MS, () => this.publish(), o.clock ?? systemClock);
  }

  start(): void {
    this.repeat.start();
  }

  stop(): void {
    this.repeat.stop();
  }

  /**
   * Writes the entry now; resolves whether a node other than this one
   * stored it. A peer alone in its ring (or whose ring is still forming)
   * holds only its own copy, so it writes again soon rather than in 10 min.
   */
  async publish(): Promise<boolean> {
    const { node, signer, overlay, urls } = this.o;
    const record = await makeBootstrapEntry(signer, overlay, urls, node.clock.now());
    const result = await node.put(record);
    if (result.stored.length > 0) this.published++;
    const ok = result.stored.some((id) => id !== node.id);
    if (ok && !this.spread) this.o.log?.(`bootstrap endpoint ${urls.join(', ')} published in the DHT (${result.stored.length} replicas)`);
    if (result.stored.length === 0) this.o.log?.(`bootstrap entry not stored: ${JSON.stringify(result.refused)}`);
    this.spread ||= ok;
    return ok;
  }
}

/** Reads and checks the directory of `overlay`: the good entries, and the refused ones with their reasons. Rejects with LookupError. */
export async function readBootstraps(node: OverlayNode, overlay: string, verifier: RecordVerifier = webCryptoVerifier): Promise<BootstrapRead> {
  const records = await node.get(await bootstrapKey(overlay));
  return checkBootstrapEntries(records, node.clock.now(), verifier);
}

/** Reads the directory into a tab's BootstrapBook while the tab runs. */
export class BootstrapReader {
  private readonly repeat: Repeat;
  /** Entries refused at the last read, with why, in words. */
  lastRefused: string[] = [];

  constructor(
    private readonly node: OverlayNode,
    private readonly overlay: string,
    private readonly book: BootstrapBook,
    clock: Clock = systemClock,
  ) {
    this.repeat = new Repeat(node, BOOTSTRAP_READ_EVERY_MS, () => this.read(), clock);
  }

  start(): void {
    this.repeat.start(FIRST_RETRY_MS);
  }

  stop(): void {
    this.repeat.stop();
  }

  /** Reads once; resolves true when the directory named at least one endpoint. */
  async read(): Promise<boolean> {
    const { entries, refused } = await readBootstraps(this.node, this.overlay);
    this.lastRefused = refused.map((r) => `${r.sub.slice(0, 12)}: ${BOOTSTRAP_REFUSAL_WORDS[r.reason]}`);
    if (refused.length > 0) log.warn(`bootstrap entries refused: ${this.lastRefused.join('; ')}`);
    if (entries.length > 0) this.book.learn(entries);
    return entries.length > 0;
  }
}
