/**
 * Whether this page can run the app at all. WebCrypto's subtle API, Web
 * Locks, IndexedDB keys and the camera exist only in a secure context
 * (W3C Secure Contexts: an https: page, or http://localhost on this
 * machine), so a page opened over plain HTTP from another machine cannot
 * start; instead of failing on the first missing API with a warning that
 * misleads, it says why and gives the https:// address to open.
 */

/** Where the page was opened, as `window.location` and `window.isSecureContext` say. */
export interface PageOrigin {
  protocol: string;
  host: string;
  pathname: string;
  search: string;
  hash: string;
  isSecureContext: boolean;
}

/** Why the app cannot run on this page, and the address that would work. */
export interface InsecureOrigin {
  /** The address the page was opened at. */
  openedAt: string;
  /** The same address over HTTPS. */
  httpsUrl: string;
}

/** Null when the page is a secure context (the app can run); otherwise what to tell the person. */
export function insecureOrigin(page: PageOrigin): InsecureOrigin | null {
  if (page.isSecureContext) return null;
  const rest = `${page.host}${page.pathname}${page.search}${page.hash}`;
  return { openedAt: `${page.protocol}//${rest}`, httpsUrl: `https://${rest}` };
}
