/**
 * A tab's bootstrap endpoints, wired to its signaling client: the
 * remembered ones (BootstrapBook, IndexedDB) are tried after the signaling
 * servers, best first; addresses given in the page's link
 * (`?bootstrap=URL`, repeatable or comma-separated) are tried first on this
 * load, since the person was told to join through them, and are remembered
 * too; going online through one marks it as the last that worked; once the
 * tab is in a ring it reads the DHT's directory for more (BootstrapReader).
 */
import type { KeyValueStore } from '../identity';
import type { OverlayNode } from '../overlay';
import type { SignalingClient, SignalingServerConfig } from '../transport';
import { BootstrapBook, type KnownBootstrap } from './bootstrap-book';
import { BootstrapReader } from './bootstrap-directory';
import { bootstrapServer } from './bootstrap-record';

export class TabBootstraps {
  readonly book: BootstrapBook;
  /** The endpoints the page's link named, parsed; tried before the servers on this load. */
  readonly given: SignalingServerConfig[] = [];
  private reader: BootstrapReader | null = null;

  private constructor(store: KeyValueStore) {
    this.book = new BootstrapBook(store);
  }

  /**
   * Loads the remembered list and takes the page's `?bootstrap=` addresses;
   * `warn` hears each address that cannot be used, in words. Never rejects.
   */
  static async open(store: KeyValueStore, search: string, warn: (words: string) => void): Promise<TabBootstraps> {
    const t = new TabBootstraps(store);
    await t.book.load();
    for (const text of new URLSearchParams(search).getAll('bootstrap').flatMap((v) => v.split(','))) {
      if (!text.trim()) continue;
      try {
        const url = t.book.give(text.trim());
        if (!t.given.some((s) => s.url === url)) t.given.push(bootstrapServer(url));
      } catch (e) {
        warn(`The bootstrap address "${text.trim().slice(0, 80)}" in the link cannot be used: ${(e as Error).message}`);
      }
    }
    return t;
  }

  /** The remembered endpoints, best first. */
  known(): readonly KnownBootstrap[] {
    return this.book.known();
  }

  /** Keeps `client`'s fallbacks on the remembered list and notes each endpoint the tab goes online through. */
  follow(client: SignalingClient): void {
    const apply = (): void => client.setFallbacks(this.book.servers());
    apply();
    this.book.onChange(apply);
    client.onState((s) => {
      if (s.kind === 'online' && client.server?.bootstrap) this.book.worked(s.server);
    });
  }

  /** Reads the DHT's bootstrap directory through `node` once it is in a ring, and every few minutes after. */
  readFrom(node: OverlayNode, overlay: string): void {
    this.reader?.stop();
    this.reader = new BootstrapReader(node, overlay, this.book);
    this.reader.start();
  }

  /** Reads the directory now (the test handle and the Network page's button); resolves whether it named any endpoint. */
  readNow(): Promise<boolean> {
    return this.reader ? this.reader.read() : Promise.resolve(false);
  }

  stop(): void {
    this.reader?.stop();
  }
}
