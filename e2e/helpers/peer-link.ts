/**
 * A raw PeerJS data connection between two app tabs, opened through each
 * tab's own signaling client: the proof that WebRTC works in the harness.
 */
import type { Page } from 'playwright-core';
import type { DataConnection } from 'peerjs';

type Win = { __echoConn?: DataConnection; __echoConns?: Record<string, DataConnection>; __echoed?: string[] };

/** Makes `page` answer every message on incoming data connections with "echo:" + message. */
export async function serveEcho(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.softphoneTest!.onSignalingConnection((conn) => {
      // Only the echo connections: answering the overlay's own links would break their handshakes.
      if (conn.label !== 'echo') return false;
      conn.on('data', (d) => void conn.send(`echo:${String(d)}`));
      return true;
    });
  });
}

/**
 * Opens a data connection from `page` to node `targetId` and waits for it to
 * open; it becomes `__echoConn`, and `__echoConns[targetId]` keeps every one opened.
 */
export async function openEchoLink(page: Page, targetId: string): Promise<void> {
  await page.evaluate(
    (target) =>
      new Promise<void>((resolve, reject) => {
        const w = window as unknown as Win;
        const peer = window.softphoneTest!.signalingPeer()!;
        const conn = peer.connect(target, { reliable: true, serialization: 'json', label: 'echo' });
        w.__echoed = [];
        conn.on('data', (d) => w.__echoed!.push(String(d)));
        conn.on('open', () => {
          w.__echoConn = conn;
          w.__echoConns = { ...w.__echoConns, [target]: conn };
          resolve();
        });
        conn.on('error', (e) => reject(new Error(e.message)));
        setTimeout(() => reject(new Error('data connection did not open in 20 s')), 20_000);
      }),
    targetId,
  );
}

/** Sends `text` over the open link and waits for its echo; resolves with the echo. */
export async function echo(page: Page, text: string): Promise<string> {
  return page.evaluate(
    (t) =>
      new Promise<string>((resolve, reject) => {
        const w = window as unknown as Win;
        const before = w.__echoed!.length;
        void w.__echoConn!.send(t);
        const started = Date.now();
        const poll = (): void => {
          const got = w.__echoed!.slice(before).find((x) => x === `echo:${t}`);
          if (got) resolve(got);
          else if (Date.now() - started > 10_000) reject(new Error(`no echo of "${t}" in 10 s`));
          else setTimeout(poll, 20);
        };
        poll();
      }),
    text,
  );
}
