/**
 * Reads the node's answer to `GET /ice-servers` (`{ iceServers, expiresAt }`,
 * app/signaling-server/turn-rest.ts) as untrusted input: anything that is
 * not a short list of well-formed STUN/TURN entries is refused as a whole
 * with words a person can read, and the tab goes on without it (links and
 * calls still work where a direct path exists).
 */

/** A usable answer, or why it cannot be used. */
export type IceAnswerCheck = { ok: true; servers: RTCIceServer[]; expiresAt: number } | { ok: false; problem: string };

/** More entries than this only slow down ICE gathering; a longer list is refused, not cut. */
export const MAX_NODE_ICE_SERVERS = 8;
/** URLs per entry, and bytes per user name or credential (TURN REST ones are about 40). */
const MAX_URLS_PER_ENTRY = 8;
const MAX_CREDENTIAL_CHARS = 512;
const ICE_URL = /^(stuns?|turns?):([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?(\?transport=(udp|tcp))?$/i;

function entryProblem(e: unknown, i: number): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return `entry ${i + 1} is not a server`;
  const { urls, username, credential } = e as Record<string, unknown>;
  const list = typeof urls === 'string' ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_URLS_PER_ENTRY) return `entry ${i + 1} has no usable list of addresses`;
  for (const u of list) {
    if (typeof u !== 'string' || !ICE_URL.test(u)) return `entry ${i + 1} names "${String(u).slice(0, 60)}", which is not a STUN or TURN address`;
  }
  const turn = list.some((u) => /^turns?:/i.test(u as string));
  for (const [name, v] of [['user name', username], ['password', credential]] as const) {
    if (v === undefined && !turn) continue;
    if (typeof v !== 'string' || v === '' || v.length > MAX_CREDENTIAL_CHARS) return `entry ${i + 1} has ${turn ? 'a TURN server without a usable' : 'a malformed'} ${name}`;
  }
  return null;
}

/**
 * Checks one answer. `now` (epoch ms) only matters for the words: an answer
 * whose credentials have already expired is still used (the relay decides,
 * by its own clock), and the caller says so.
 */
export function checkIceAnswer(body: unknown): IceAnswerCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, problem: 'the answer is not a list of servers' };
  const { iceServers, expiresAt } = body as Record<string, unknown>;
  if (!Array.isArray(iceServers)) return { ok: false, problem: 'the answer has no list of servers' };
  if (iceServers.length > MAX_NODE_ICE_SERVERS) return { ok: false, problem: `the answer names ${iceServers.length} servers, more than the ${MAX_NODE_ICE_SERVERS} a tab uses` };
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return { ok: false, problem: 'the answer does not say when its credentials expire' };
  const servers: RTCIceServer[] = [];
  for (const [i, e] of iceServers.entries()) {
    const problem = entryProblem(e, i);
    if (problem) return { ok: false, problem };
    const { urls, username, credential } = e as RTCIceServer;
    // Only the three known fields are kept: nothing else the node sent reaches RTCPeerConnection.
    servers.push({ urls, ...(username !== undefined ? { username } : {}), ...(credential !== undefined ? { credential } : {}) });
  }
  return { ok: true, servers, expiresAt };
}

/** The node's servers first, then the ones the person added; each entry once. */
export function mergeIceServers(fromNode: readonly RTCIceServer[], fromPerson: readonly RTCIceServer[]): RTCIceServer[] {
  const seen = new Set<string>();
  const out: RTCIceServer[] = [];
  for (const s of [...fromNode, ...fromPerson]) {
    const key = JSON.stringify([s.urls, s.username ?? null, s.credential ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/** True when an entry names a TURN server (the relay). */
export function isTurnServer(s: RTCIceServer): boolean {
  return (typeof s.urls === 'string' ? [s.urls] : s.urls).some((u) => /^turns?:/i.test(u));
}
