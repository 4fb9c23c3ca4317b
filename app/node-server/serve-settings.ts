/**
 * How a node serves: plain HTTP on this machine (`npm start`, what the
 * end-to-end suites use), or HTTPS for other machines (`HTTPS=1 npm start`,
 * and always for `npm run serve`). Read from the environment:
 * - HTTPS=1: serve over HTTPS, listen on every interface unless HOST says
 *   otherwise, and allow any host name (the certificate, not a host list,
 *   is what keeps other sites' pages out);
 * - TLS_CERT, TLS_KEY, TLS_DIR, TLS_NAMES: the certificate (tls-certificate.ts);
 * - ALLOWED_HOSTS: extra host names plain HTTP answers to (besides this
 *   machine's names, IP addresses and localhost), so a page opened by name
 *   from another machine explains what to do instead of a 403.
 */
import { loadCertificate, type TlsCertificate } from './tls-certificate.ts';
import { machineNames, nameList, otherMachineUrls, type MachineNames } from './network-addresses.ts';

export interface ServeSettings {
  /** The certificate when serving HTTPS; null for plain HTTP. */
  tls: TlsCertificate | null;
  /** Where to listen: an address, or true for every interface. */
  host: string | true;
  /** Host names requests may carry (Vite's `allowedHosts`); true for any. */
  allowedHosts: string[] | true;
  names: MachineNames;
}

/** True for HTTPS=1/true/yes. */
export function wantsHttps(env: Record<string, string | undefined>): boolean {
  return /^(1|true|yes)$/i.test(env['HTTPS'] ?? '');
}

/**
 * @param forceHttps `npm run serve`: a public node always serves HTTPS
 * @throws TlsSettingsError when TLS_CERT/TLS_KEY are set but unusable
 */
export async function serveSettings(env: Record<string, string | undefined>, root: string, forceHttps = false): Promise<ServeSettings> {
  const names = machineNames(env);
  const https = forceHttps || wantsHttps(env);
  const tls = https ? await loadCertificate(env, [...names.hosts, ...names.addresses], root) : null;
  const host = env['HOST'] || (https ? true : 'localhost');
  const allowedHosts = https ? true : [...new Set([...names.hosts, ...nameList(env['ALLOWED_HOSTS'])])];
  return { tls, host, allowedHosts, names };
}

/** The lines printed once the server listens: where other machines open the app, and the certificate to expect. */
export function addressLines(settings: ServeSettings, port: number, listeningOn = '0.0.0.0'): string[] {
  if (!settings.tls) return [];
  // Listening on one address (HOST=…), only that one can be opened.
  const everywhere = listeningOn === '0.0.0.0' || listeningOn === '::';
  const urls = everywhere ? otherMachineUrls(settings.names, port) : [`https://${listeningOn.includes(':') ? `[${listeningOn}]` : listeningOn}:${port}/`];
  const lines = [`Open the app from other machines at: ${urls.length > 0 ? urls.join('  ') : '(this machine has no network address)'}`];
  if (settings.tls.source !== 'given') {
    lines.push(
      `The certificate is self-signed (${settings.tls.source === 'made' ? 'made now' : 'kept'} in ${settings.tls.certPath}): each browser asks once to accept it; its SHA-256 fingerprint is ${settings.tls.fingerprint256}.`,
    );
  }
  return lines;
}
