/**
 * The STUN and TURN servers the node that served this tab names
 * (`GET /ice-servers`, answered by app/signaling-server/ice-endpoint.ts):
 * fetched at start, checked as untrusted input (ice-answer.ts), refreshed
 * before its TURN credentials expire (at 80% of their lifetime, on the
 * injected Clock), and its relay checked (relay-probe.ts). Whatever goes
 * wrong ends as words in `problem` or `relayProblem`, and the tab keeps
 * the links and calls that need no relay. The list is handed to overlay
 * links and call media alike (app-services.ts), merged with the person's own.
 */
import { Snapshots, type Clock } from '../common';
import { Backoff } from '../overlay';
import { checkIceAnswer, isTurnServer } from './ice-answer';
import type { RelayCheck, RelayProbe } from './relay-probe';

/** The relay's state, as last checked. */
export type RelayState = 'none' | 'checking' | 'ready' | 'refused' | 'unreachable';

export interface NodeIceSnapshot {
  /** The servers the node named, with their credentials ([] before the first answer or when it names none). */
  servers: RTCIceServer[];
  /** When those credentials expire, epoch ms; null before the first usable answer. */
  expiresAt: number | null;
  /** When the list in use arrived, epoch ms. */
  fetchedAt: number | null;
  /** How many usable answers arrived so far (a refresh adds one). */
  answers: number;
  /** Why the node's list cannot be used or fetched, in plain words; null when all is well. */
  problem: string | null;
  relay: RelayState;
  /** What the relay check found wrong, in plain words; null when nothing is wrong. */
  relayProblem: string | null;
}

/** The HTTP response fields this module reads (the browser's Response has them). */
export interface IceHttpResponse {
  status: number;
  json(): Promise<unknown>;
}

export interface NodeIceConfigOptions {
  /** Fetches the node's `/ice-servers` (the browser's fetch, with a timeout). */
  fetch: () => Promise<IceHttpResponse>;
  /** Checks the relay; without one the relay is not checked. */
  probe?: RelayProbe;
  clock: Clock;
  /** First wait after a failed fetch, doubling to `retryMaxMs`. @default 5000 */
  retryMs?: number;
  /** @default 300000 */
  retryMaxMs?: number;
}

/** A refresh comes at this share of the credentials' remaining lifetime. */
const REFRESH_AT = 0.8;
const STILL_WORKS = 'Links and calls still work where a direct path exists.';

function relayWords(check: RelayCheck, servers: RTCIceServer[]): string | null {
  const first = servers.flatMap((s) => (typeof s.urls === 'string' ? [s.urls] : s.urls)).find((u) => /^turns?:/i.test(u)) ?? 'the relay';
  const where = first.replace(/^turns?:/i, '').replace(/\?.*$/, '');
  switch (check.kind) {
    case 'ready':
      return null;
    case 'refused':
      return check.code === 401 || check.code === 441
        ? `Calls that need the media relay may fail: the relay (${where}) refused our credentials.`
        : `Calls that need the media relay may fail: the relay (${where}) refused us${check.code ? ` (${check.code} ${check.text})` : ''}.`;
    case 'unreachable':
      return `Calls that need the media relay may fail: the relay (${where}) cannot be reached.`;
  }
}

export class NodeIceConfig {
  private readonly snaps = new Snapshots<NodeIceSnapshot>({
    servers: [],
    expiresAt: null,
    fetchedAt: null,
    answers: 0,
    problem: null,
    relay: 'none',
    relayProblem: null,
  });
  readonly subscribe = this.snaps.subscribe;
  readonly getSnapshot = this.snaps.getSnapshot;
  private readonly backoff: Backoff;
  private timer: unknown = null;
  private fetching = false;
  private stopped = false;
  private probes = 0;

  constructor(private readonly o: NodeIceConfigOptions) {
    this.backoff = new Backoff({ initialMs: o.retryMs ?? 5000, maxMs: o.retryMaxMs ?? 300_000 });
  }

  /** Fetches the list now and keeps it fresh until stop(); resolves after the first answer or failure. */
  start(): Promise<void> {
    this.stopped = false;
    return this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
    this.probes++;
  }

  private clear(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private later(ms: number): void {
    this.clear();
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, ms);
  }

  /** Fetches the node's list now (also what the timers call). */
  async refresh(): Promise<void> {
    if (this.fetching || this.stopped) return;
    this.fetching = true;
    try {
      await this.fetchOnce();
    } finally {
      this.fetching = false;
    }
  }

  private async fetchOnce(): Promise<void> {
    let res: IceHttpResponse;
    try {
      res = await this.o.fetch();
    } catch (e) {
      return this.failed(`The node’s list of media servers could not be fetched (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (this.stopped) return;
    if (res.status === 404) {
      // A node without the endpoint (the app hosted as plain files) names no servers: nothing is wrong.
      this.take([], null);
      return;
    }
    if (res.status < 200 || res.status > 299) return this.failed(`The node’s list of media servers could not be fetched (it answered HTTP ${res.status}).`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      return this.failed('The node’s list of media servers could not be used: the answer is not JSON.');
    }
    if (this.stopped) return;
    const check = checkIceAnswer(body);
    if (!check.ok) return this.failed(`The node’s list of media servers could not be used: ${check.problem}.`);
    this.take(check.servers, check.expiresAt);
  }

  private failed(words: string): void {
    if (this.stopped) return;
    this.snaps.update({ problem: `${words} ${STILL_WORKS}` });
    this.later(this.backoff.next());
  }

  private take(servers: RTCIceServer[], expiresAt: number | null): void {
    const now = this.o.clock.now();
    const expired = expiresAt !== null && expiresAt <= now;
    this.snaps.update({
      servers,
      expiresAt,
      fetchedAt: now,
      answers: this.snaps.value.answers + 1,
      // Used anyway: the relay judges by its own clock, and the check below says whether it still lets us in.
      problem: expired ? `The node’s relay credentials arrived already expired (is this computer’s clock right?). ${STILL_WORKS}` : null,
    });
    if (expired) this.later(this.backoff.next());
    else if (expiresAt !== null) {
      this.backoff.reset();
      this.later(Math.max(1000, (expiresAt - now) * REFRESH_AT));
    } else this.clear();
    void this.checkRelay(servers);
  }

  private async checkRelay(servers: RTCIceServer[]): Promise<void> {
    const turn = servers.filter(isTurnServer);
    const id = ++this.probes;
    if (turn.length === 0 || !this.o.probe) {
      this.snaps.update({ relay: 'none', relayProblem: null });
      return;
    }
    // A refresh keeps showing the last finding while it checks again.
    if (this.snaps.value.relay === 'none') this.snaps.update({ relay: 'checking' });
    const check = await this.o.probe(turn);
    if (id !== this.probes) return;
    this.snaps.update({ relay: check.kind, relayProblem: relayWords(check, turn) });
  }
}
