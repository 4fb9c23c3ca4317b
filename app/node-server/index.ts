/**
 * Serving a node to other machines: its certificate, the names it is
 * reached by, and how it serves (plain HTTP on this machine, or HTTPS).
 * Node-only; the production node (`npm run serve`) is serve-cli.ts.
 */
export { loadCertificate, certificateNames, TlsSettingsError, type TlsCertificate } from './tls-certificate.ts';
export { machineNames, nameList, otherMachineUrls, type MachineNames } from './network-addresses.ts';
export { serveSettings, wantsHttps, addressLines, type ServeSettings } from './serve-settings.ts';
export { createPublicNode, PublicNodeError, type PublicNode, type PublicNodeOptions } from './public-node.ts';
export { quietDevClient, QUIET_CLIENT_SOURCE, VITE_CLIENT_PATH } from './quiet-dev-client.ts';
