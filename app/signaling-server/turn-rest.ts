/**
 * The node's ICE configuration (STUN and TURN servers for tabs) and TURN
 * credentials in the TURN REST scheme (draft-uberti-behave-turn-rest-00,
 * coturn's `use-auth-secret`): the node and coturn share a secret; a
 * credential is username = `<expiry, unix seconds>:<random id>` and
 * password = base64(HMAC-SHA1(secret, username)). coturn recomputes the
 * HMAC and refuses a username whose expiry has passed, so a leaked
 * credential stops working on its own and the node keeps no state.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** What the node hands out, read from its environment. */
export interface IceSettings {
  /** STUN URLs (`stun:` / `stuns:`). */
  stunUrls: string[];
  /** TURN URLs (`turn:` / `turns:`); used only with a secret. */
  turnUrls: string[];
  /** coturn's `static-auth-secret`; null when TURN is not configured. */
  turnSecret: string | null;
  /** Lifetime of one TURN credential, in seconds. @default 3600 */
  ttlS: number;
}

/** The JSON `GET /ice-servers` answers (the contract with tabs, docs in README "ICE servers from the node"). */
export interface IceServersAnswer {
  iceServers: RTCIceServerJson[];
  /** When the credentials stop working, epoch milliseconds; the tab fetches a new list before then. */
  expiresAt: number;
}

/** RTCIceServer as plain JSON (Node has no DOM types). */
export interface RTCIceServerJson {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A setting the node cannot use; the message names the variable and what is wrong. */
export class IceSettingsError extends Error {
  override name = 'IceSettingsError';
}

export const DEFAULT_TURN_TTL_S = 3600;
/** Shorter lifetimes only make tabs fetch all the time; longer ones outlive a leaked credential's usefulness. */
const MIN_TTL_S = 10;
const MAX_TTL_S = 7 * 24 * 3600;
const ICE_URL = /^(stuns?|turns?):([a-z0-9.-]+|\[[0-9a-f:]+\])(:\d{1,5})?(\?transport=(udp|tcp))?$/i;

function urlList(name: string, text: string | undefined, schemes: RegExp): string[] {
  if (!text || text.trim() === '') return [];
  const urls = text.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const url of urls) {
    if (!ICE_URL.test(url) || !schemes.test(url)) {
      throw new IceSettingsError(`${name}: "${url}" is not a ${name.startsWith('STUN') ? 'stun:' : 'turn:'} URL (like ${name.startsWith('STUN') ? 'stun:203.0.113.10:3478' : 'turn:203.0.113.10:3478?transport=udp'})`);
    }
    const port = /:(\d+)(\?|$)/.exec(url.replace(/^\w+:/, ''))?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new IceSettingsError(`${name}: "${url}" has a port out of range`);
  }
  return urls;
}

/**
 * Reads STUN_URLS, TURN_URLS (comma-separated ICE URLs), TURN_SECRET and
 * TURN_TTL_S (seconds). With none set the list is empty: no third-party
 * server is ever named by default.
 * @throws IceSettingsError when a value cannot be used (TURN_URLS without TURN_SECRET, a bad URL, a bad TTL).
 */
export function iceSettingsFromEnv(env: Record<string, string | undefined>): IceSettings {
  const stunUrls = urlList('STUN_URLS', env['STUN_URLS'], /^stuns?:/i);
  const turnUrls = urlList('TURN_URLS', env['TURN_URLS'], /^turns?:/i);
  const secret = env['TURN_SECRET'] && env['TURN_SECRET'] !== '' ? env['TURN_SECRET'] : null;
  if (turnUrls.length > 0 && secret === null) throw new IceSettingsError('TURN_URLS is set but TURN_SECRET is not: set it to coturn\'s static-auth-secret');
  const ttlText = env['TURN_TTL_S'];
  const ttlS = ttlText === undefined || ttlText === '' ? DEFAULT_TURN_TTL_S : Number(ttlText);
  if (!Number.isInteger(ttlS) || ttlS < MIN_TTL_S || ttlS > MAX_TTL_S) {
    throw new IceSettingsError(`TURN_TTL_S must be a whole number of seconds from ${MIN_TTL_S} to ${MAX_TTL_S}, not "${ttlText}"`);
  }
  return { stunUrls, turnUrls, turnSecret: secret, ttlS };
}

/**
 * One TURN REST credential.
 * @param secret coturn's static-auth-secret
 * @param expiresAtS when it stops working, unix seconds
 * @param id any text without a colon that tells credentials apart in coturn's log
 */
export function turnRestCredential(secret: string, expiresAtS: number, id: string): { username: string; credential: string } {
  const username = `${expiresAtS}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The answer for one request at `nowMs`: STUN servers as they are, TURN
 * servers with a fresh credential that expires `ttlS` from now. Without TURN
 * the list carries no secret, and `expiresAt` still tells the tab when to
 * look again (the operator may have added servers).
 */
export function iceServersAnswer(settings: IceSettings, nowMs: number, id: string = randomBytes(8).toString('hex')): IceServersAnswer {
  const expiresAtS = Math.floor(nowMs / 1000) + settings.ttlS;
  const iceServers: RTCIceServerJson[] = [];
  if (settings.stunUrls.length > 0) iceServers.push({ urls: settings.stunUrls });
  if (settings.turnUrls.length > 0 && settings.turnSecret !== null) {
    iceServers.push({ urls: settings.turnUrls, ...turnRestCredential(settings.turnSecret, expiresAtS, id) });
  }
  return { iceServers, expiresAt: expiresAtS * 1000 };
}
