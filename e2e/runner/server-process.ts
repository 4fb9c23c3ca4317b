/** Starting and stopping the app's servers as child processes, for the end-to-end suites. */
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  /** Stops the process group and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** What the process printed, for failure messages. */
  output(): string;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The status of GET `url`; an https URL is asked without checking its (self-signed) certificate. */
export function httpStatus(url: string): Promise<number> {
  if (!url.startsWith('https:')) return fetch(url).then((r) => r.status);
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const status = await httpStatus(url);
      if (status >= 200 && status < 300) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server at ${url} did not answer within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Runs `command` in its own process group with PORT and HOST set, and waits
 * until `readyPath` answers 200.
 */
export async function startServer(
  command: string,
  args: string[],
  opts: { port?: number; readyPath: string; env?: Record<string, string>; timeoutMs?: number; https?: boolean },
): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env, PORT: String(port), HOST: '127.0.0.1' },
  });
  let log = '';
  const keep = (b: Buffer): void => {
    log = (log + b.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHttp(url + opts.readyPath, child, opts.timeoutMs ?? 60_000, () => log);
  } catch (e) {
    await stop('SIGKILL');
    throw e;
  }
  return { url, port, stop, output: () => log };
}

/**
 * The app as `npm start` serves it, with its embedded signaling server. Its
 * service peer is off unless `env` turns it on: the suites count the tabs
 * of the ring and place replicas among tabs only. Source files are not
 * watched, so an edit made during a run cannot reload the tabs under test.
 */
export function startApp(port?: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  return startServer('npm', ['start', '--silent'], { readyPath: '/peerjs/', env: { SERVICE_PEER: '0', SOFTPHONE_WATCH: '0', ...env }, ...(port ? { port } : {}), https: env['HTTPS'] === '1' });
}

/** The signaling server alone, as `npm run signaling` runs it. */
export function startSignaling(port?: number): Promise<ServerProcess> {
  return startServer('npm', ['run', '--silent', 'signaling'], { readyPath: '/peerjs/', ...(port ? { port } : {}) });
}
