/**
 * The ICE servers calls use, as a person types them: one per line, a
 * `stun:`/`stuns:`/`turn:`/`turns:` URL, and for TURN a user name and a
 * password after it. None by default: on one network calls need none, and
 * the app never contacts a host the person did not set (DESIGN.md).
 */
export interface IceServerList {
  servers: RTCIceServer[];
  /** One sentence per line that could not be used. */
  errors: string[];
}

const URL_RE = /^(stuns?|turns?):([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?(\?transport=(udp|tcp))?$/i;
/** More servers than this only slow down gathering. */
export const MAX_ICE_SERVERS = 8;

export function parseIceServers(text: string): IceServerList {
  const servers: RTCIceServer[] = [];
  const errors: string[] = [];
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (const line of lines) {
    const [url = '', username, credential, ...rest] = line.split(/\s+/);
    if (!URL_RE.test(url)) {
      errors.push(`“${url.slice(0, 60)}” is not a STUN or TURN address (like stun:stun.example.org:3478).`);
      continue;
    }
    const port = /:(\d+)(\?|$)/.exec(url.replace(/^\w+:/, ''))?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      errors.push(`${url} has a port out of range.`);
      continue;
    }
    const turn = /^turns?:/i.test(url);
    if (rest.length > 0 || (turn && (!username || !credential)) || (!turn && username)) {
      errors.push(turn ? `${url} needs a user name and a password after it, and nothing more.` : `${url} takes no user name or password.`);
      continue;
    }
    if (servers.length >= MAX_ICE_SERVERS) {
      errors.push(`At most ${MAX_ICE_SERVERS} servers are used; ${url} is left out.`);
      continue;
    }
    servers.push(turn ? { urls: url, username: username!, credential: credential! } : { urls: url });
  }
  return { servers, errors };
}

/** The text form of a list, for the settings field. */
export function formatIceServers(servers: readonly RTCIceServer[]): string {
  return servers.map((s) => [s.urls, s.username, s.credential].filter(Boolean).join(' ')).join('\n');
}
