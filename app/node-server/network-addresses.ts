/**
 * The names and addresses other machines on the network reach this one by:
 * its host name, `<host name>.local` (mDNS, which home networks resolve), the
 * extra names an operator lists (TLS_NAMES, e.g. a DNS name), and the
 * addresses of its interfaces. They go into the self-signed certificate and
 * into the "open from other machines" line printed at start.
 */
import { hostname, networkInterfaces } from 'node:os';

export interface MachineNames {
  /** Host names, most useful first; always includes localhost. */
  hosts: string[];
  /** IPv4 and IPv6 addresses (link-local IPv6 left out: a browser cannot use it in a URL without a zone). */
  addresses: string[];
}

/** A comma-separated list of names from the environment, trimmed and lower-cased. */
export function nameList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
}

export function machineNames(env: Record<string, string | undefined> = process.env): MachineNames {
  const host = hostname().toLowerCase();
  const hosts = [...new Set([...nameList(env['TLS_NAMES']), ...(host && host !== 'localhost' ? [host, host.includes('.') ? null : `${host}.local`] : []), 'localhost'])].filter(
    (h): h is string => h !== null,
  );
  const addresses: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')) continue;
      addresses.push(a.address);
    }
  }
  for (const lo of ['127.0.0.1', '::1']) if (!addresses.includes(lo)) addresses.push(lo);
  return { hosts, addresses };
}

/** The https:// URLs other machines can open (loopback left out: it is this machine only). */
export function otherMachineUrls(names: MachineNames, port: number): string[] {
  const shown = [...names.hosts.filter((h) => h !== 'localhost'), ...names.addresses.filter((a) => a !== '127.0.0.1' && a !== '::1')];
  return shown.map((h) => `https://${h.includes(':') ? `[${h}]` : h}:${port}/`);
}
