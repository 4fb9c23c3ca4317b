/** A bare PeerJS signaling socket, for suites that check what a signaling server (or a bootstrap endpoint) says to a client. */
import WebSocket from 'ws';

/**
 * Opens a PeerJS socket on the signaling server at `serverUrl`
 * (`http://host:port/peerjs`) asking for node ID `id` with `token` (a proof
 * of key, or anything else); resolves with the first message's type and
 * code, then closes. Rejects when nothing comes within 15 s.
 */
export function askForId(serverUrl: string, id: string, token: string): Promise<{ type: string; msg?: string }> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/peerjs?key=peerjs&id=${id}&token=${encodeURIComponent(token)}&version=1.5.5`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server said nothing within 15 s')), 15_000);
    ws.on('message', (d) => {
      clearTimeout(timer);
      const m = JSON.parse(String(d)) as { type: string; payload?: { msg?: string } };
      resolve({ type: m.type, ...(m.payload?.msg ? { msg: m.payload.msg } : {}) });
      ws.terminate();
    });
    ws.on('error', (e) => reject(e));
  });
}
