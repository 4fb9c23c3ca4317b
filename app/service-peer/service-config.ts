/**
 * The service peer's command line: `--signaling URL --data DIR` and the
 * options around them, checked up front so that a typo stops the peer with
 * one clear sentence instead of a half-started node.
 */
import { DEFAULT_ID_PUZZLE, MAX_ID_PUZZLE_BITS, type IdPuzzleDifficulty } from '../identity';
import { parseServerUrl, ServerUrlError, type SignalingServerConfig } from '../transport';
import { iceServersUrlFor } from './service-ice';
import { bootstrapServer, MAX_BOOTSTRAP_URLS } from '../peer';

export interface ServicePeerConfig {
  /** Signaling servers, most preferred first. */
  signaling: SignalingServerConfig[];
  /** Directory for the node key and the record database. */
  dataDir: string;
  /** The overlay (and SIP domain) to join. */
  overlay: string;
  /** A root public key file: only peers it signed may link. Absent: every peer of the overlay may. */
  trustedRoot: string | null;
  /** Port of the JSON health endpoint on statusHost; null: none. 0 picks a free port. */
  statusPort: number | null;
  statusHost: string;
  /** Seconds between status lines in the log; 0: none. */
  statusEverySeconds: number;
  /** A damaged key file or database is moved aside and a fresh one made, instead of stopping. */
  startFresh: boolean;
  /** Most links at once. */
  maxLinks: number;
  /** Records in memory only (for benchmarks: the baseline without a disk). */
  inMemory: boolean;
  /** The overlay's node ID puzzle: this peer solves it for its key and refuses links whose far side did not. */
  idPuzzle: IdPuzzleDifficulty;
  /** The node's STUN/TURN list (`/ice-servers`) its links use, followed like a tab's; null: none (host candidates only). */
  iceServersUrl: string | null;
  /** This peer's own bootstrap endpoint (a signaling server with proof of key, bootstrap-endpoint.ts); null: none. */
  bootstrap: BootstrapEndpointConfig | null;
}

/** Where the bootstrap endpoint listens and what it advertises in the DHT. */
export interface BootstrapEndpointConfig {
  /** TCP port to listen on; 0 picks a free one. */
  port: number;
  /** Address to listen on. */
  host: string;
  /** The URLs tabs should use (1..4), e.g. behind a TLS proxy; empty: http://HOST:PORT/peerjs with the port bound. */
  urls: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run service-peer -- --signaling URL --data DIR [options]

  --signaling URL      signaling server, e.g. http://localhost:5173/peerjs
                       (repeat, or separate with commas, for fail-over)
  --data DIR           where the node key and the records live (made if missing)
  --overlay NAME       overlay to join (default p2p.local)
  --trusted-root FILE  only link with peers whose certificate this root signed
                       (default: every peer of the overlay)
  --status-port N      serve the status as JSON on http://HOST:N/ (0: any free port)
  --status-host HOST   address of the status endpoint (default 127.0.0.1)
  --status-every S     print a status line every S seconds (default 30, 0: never)
  --start-fresh        if the key file or the database is damaged, move it aside
                       (nothing is deleted) and start with a new one
  --max-links N        most links at once (default 128)
  --in-memory          keep records in memory only, not on disk (benchmark baseline)
  --id-puzzle-bits N   the overlay's node ID puzzle: leading zero bits of
                       SHA-256(SHA-256(key) xor X) (default ${DEFAULT_ID_PUZZLE.dynamicBits}; 0: none)
  --ice-servers URL    the node's STUN/TURN list for this peer's links
                       (default: /ice-servers beside the first signaling
                       server; none: host candidates only)
  --bootstrap-port N   run a bootstrap endpoint on port N (0: any free port): a
                       signaling server of this peer's own, with proof of key,
                       published in the DHT so tabs can come back through it
                       when every signaling server is down
  --bootstrap-host H   address the bootstrap endpoint listens on (default 127.0.0.1)
  --bootstrap-url URL  the endpoint's address as tabs reach it (repeat for
                       several, at most 4; default http://HOST:PORT/peerjs)
  --id-key-bits N      the overlay's static key puzzle: leading zero bits of
                       SHA-256(SHA-256(key)) (default ${DEFAULT_ID_PUZZLE.staticBits}; changing it
                       changes the node ID of every key that fails it)
  --help               this text`;

const FLAGS_WITH_VALUE = new Set(['--signaling', '--data', '--overlay', '--trusted-root', '--status-port', '--status-host', '--status-every', '--max-links', '--id-puzzle-bits', '--id-key-bits', '--ice-servers', '--bootstrap-port', '--bootstrap-host', '--bootstrap-url']);
const BOOLEAN_FLAGS = new Set(['--start-fresh', '--in-memory', '--help']);

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return n;
}

/** The bootstrap endpoint's flags, checked; null when --bootstrap-port is absent. */
function bootstrapConfig(port: string | undefined, host: string | undefined, urls: string[]): BootstrapEndpointConfig | null {
  if (port === undefined) {
    if (host !== undefined || urls.length > 0) throw new UsageError('--bootstrap-host and --bootstrap-url need --bootstrap-port');
    return null;
  }
  const listen = host ?? '127.0.0.1';
  if (urls.length === 0 && (listen === '0.0.0.0' || listen === '::')) {
    throw new UsageError(`--bootstrap-host ${listen} listens on every address: say which one tabs should use with --bootstrap-url`);
  }
  if (urls.length > MAX_BOOTSTRAP_URLS) throw new UsageError(`--bootstrap-url is given ${urls.length} times; at most ${MAX_BOOTSTRAP_URLS}`);
  const normal: string[] = [];
  for (const u of urls) {
    try {
      normal.push(bootstrapServer(u).url);
    } catch (e) {
      throw new UsageError(`--bootstrap-url: ${(e as Error).message}`);
    }
  }
  return { port: integer('--bootstrap-port', port, 0, 65535), host: listen, urls: normal };
}

/** Reads the command line (without `node` and the script); throws UsageError in words. Returns null for --help. */
export function parseServicePeerArgs(argv: readonly string[]): ServicePeerConfig | null {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (BOOLEAN_FLAGS.has(arg)) {
      if (value !== undefined) throw new UsageError(`${arg} takes no value`);
      flags.add(arg);
      continue;
    }
    if (!FLAGS_WITH_VALUE.has(arg)) throw new UsageError(`unknown option "${arg}"\n\n${USAGE}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    }
    values.set(arg, [...(values.get(arg) ?? []), value]);
  }
  if (flags.has('--help')) return null;
  const one = (flag: string): string | undefined => {
    const v = values.get(flag);
    if (v && v.length > 1) throw new UsageError(`${flag} is given more than once`);
    return v?.[0];
  };

  const signalingText = (values.get('--signaling') ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (signalingText.length === 0) throw new UsageError(`--signaling URL is needed\n\n${USAGE}`);
  const signaling: SignalingServerConfig[] = [];
  for (const text of signalingText) {
    try {
      const s = parseServerUrl(text);
      if (!signaling.some((x) => x.url === s.url)) signaling.push(s);
    } catch (e) {
      throw new UsageError(`--signaling: ${e instanceof ServerUrlError ? e.message : String(e)}`);
    }
  }

  const dataDir = one('--data');
  if (dataDir === undefined || dataDir.trim() === '') throw new UsageError(`--data DIR is needed\n\n${USAGE}`);
  const overlay = one('--overlay') ?? 'p2p.local';
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(overlay)) throw new UsageError(`--overlay must be a domain-like name such as p2p.local, not "${overlay}"`);
  const port = one('--status-port');
  const every = one('--status-every');
  const links = one('--max-links');
  const dynamicBits = one('--id-puzzle-bits');
  const staticBits = one('--id-key-bits');
  const ice = one('--ice-servers');
  let iceServersUrl: string | null = iceServersUrlFor(signaling[0]!);
  if (ice === 'none') iceServersUrl = null;
  else if (ice !== undefined) {
    let u: URL;
    try {
      u = new URL(ice);
    } catch {
      throw new UsageError(`--ice-servers must be an http:// or https:// URL, or none, not "${ice}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--ice-servers must be an http:// or https:// URL, or none, not "${ice}"`);
    iceServersUrl = u.href;
  }
  return {
    signaling,
    bootstrap: bootstrapConfig(one('--bootstrap-port'), one('--bootstrap-host'), values.get('--bootstrap-url') ?? []),
    dataDir,
    overlay,
    trustedRoot: one('--trusted-root') ?? null,
    statusPort: port === undefined ? null : integer('--status-port', port, 0, 65535),
    statusHost: one('--status-host') ?? '127.0.0.1',
    statusEverySeconds: every === undefined ? 30 : integer('--status-every', every, 0, 86_400),
    startFresh: flags.has('--start-fresh'),
    maxLinks: links === undefined ? 128 : integer('--max-links', links, 8, 1000),
    inMemory: flags.has('--in-memory'),
    idPuzzle: {
      staticBits: staticBits === undefined ? DEFAULT_ID_PUZZLE.staticBits : integer('--id-key-bits', staticBits, 0, MAX_ID_PUZZLE_BITS),
      dynamicBits: dynamicBits === undefined ? DEFAULT_ID_PUZZLE.dynamicBits : integer('--id-puzzle-bits', dynamicBits, 0, MAX_ID_PUZZLE_BITS),
    },
    iceServersUrl,
  };
}
