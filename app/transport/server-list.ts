/**
 * Signaling servers as people write them (`http://host:port/peerjs`), parsed
 * into the options PeerJS takes. A list is kept in order of preference.
 */
export interface SignalingServerConfig {
  /** The URL as given, normalised. */
  url: string;
  host: string;
  port: number;
  path: string;
  secure: boolean;
  /**
   * A service peer's bootstrap endpoint (RFC 6940 §11.4: a joining node's
   * first contact) rather than a signaling server: links signaled through
   * it are marked `bootstrap`. Absent: a signaling server.
   */
  bootstrap?: true;
}

export class ServerUrlError extends Error {
  override name = 'ServerUrlError';
}

/** Parses one signaling server URL; throws ServerUrlError with a plain explanation. */
export function parseServerUrl(text: string, base?: string): SignalingServerConfig {
  const trimmed = text.trim();
  if (!trimmed) throw new ServerUrlError('The signaling server address is empty.');
  let u: URL;
  try {
    // Only a path ("/peerjs") is taken relative to the page; anything else must be a whole address.
    u = base && trimmed.startsWith('/') ? new URL(trimmed, base) : new URL(trimmed);
  } catch {
    throw new ServerUrlError(`"${trimmed}" is not a web address. Write it like http://localhost:5173/peerjs`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new ServerUrlError(`"${trimmed}" must start with http:// or https://`);
  }
  if (u.search || u.hash || u.username || u.password) {
    throw new ServerUrlError(`"${trimmed}" must not carry a query, fragment or password.`);
  }
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = u.port ? Number(u.port) : secure ? 443 : 80;
  const path = u.pathname === '/' ? '/peerjs' : u.pathname.replace(/\/+$/, '');
  const scheme = secure ? 'https' : 'http';
  return { url: `${scheme}://${u.host}${path}`, host: u.hostname, port, path, secure };
}

/** The server on the page's own origin, which `npm start` provides. */
export function sameOriginServer(location: { href: string }): SignalingServerConfig {
  return parseServerUrl('/peerjs', location.href);
}

/**
 * Parses a list (one per line or comma separated), dropping duplicates.
 * Returns the good ones and a message for each bad one.
 */
export function parseServerList(text: string, base?: string): { servers: SignalingServerConfig[]; errors: string[] } {
  const servers: SignalingServerConfig[] = [];
  const errors: string[] = [];
  for (const part of text.split(/[\n,]+/)) {
    if (!part.trim()) continue;
    try {
      const s = parseServerUrl(part, base);
      if (!servers.some((x) => x.url === s.url)) servers.push(s);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { servers, errors };
}
