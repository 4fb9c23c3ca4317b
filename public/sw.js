/*
 * The app shell's service worker (issue 19: installable, opens offline).
 *
 * What it keeps: the page (`/`, index.html), the hashed files index.html
 * names (`/assets/…`, immutable, so cache-first is always right), the
 * manifest and the icons. The list of files is read from index.html itself,
 * so the build needs no step of its own.
 *
 * How it answers:
 * - a page navigation gets the kept index.html at once (stale-while-
 *   revalidate): the app opens instantly, also with the server down. The
 *   fresh index.html is fetched behind it; when it differs (a new build),
 *   its files are kept and the open pages are told, so the new version opens
 *   the next time the app is opened, and the page says so;
 * - `/assets/…`, the manifest and the icons: from the cache, else the network;
 * - everything else (the signaling server at /peerjs, /ice-servers, any API,
 *   other origins, anything but GET) is not touched: it goes to the network
 *   as if there were no worker, and is never kept.
 *
 * Registered only by production builds (app/ui/app-shell.tsx). If a worker
 * from a production build finds a development server behind the same origin
 * (its index.html loads /@vite/client), it removes itself and its cache.
 */
const CACHE = 'softphone-shell-v1';
const SHELL = '/';
const STATIC = ['/manifest.webmanifest', '/favicon.svg', '/icons/icon.svg', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-512.png', '/icons/apple-touch-icon.png'];
/** Tells the pages a new version is kept; app/ui/app-shell.tsx listens for it. */
const UPDATED = 'softphone-shell-updated';
/**
 * When the last new version was kept (ms since the epoch), as a cache entry
 * the network never serves: a page loaded before it is the old version. A
 * page reads it too, since a message posted while it loads can be lost.
 */
const UPDATED_AT = '/softphone-shell-updated-at';

/** The same-origin /assets/ files an index.html names in src= and href=. */
function assetsOf(html) {
  const found = new Set();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)) found.add(m[1]);
  return [...found];
}

function isDevServer(html) {
  return html.includes('/@vite/client');
}

/** The /assets/ files a built script names: chunks it imports lazily, its workers (`./name-hash.js`, relative to /assets/). */
function importsOf(js) {
  const found = new Set();
  for (const m of js.matchAll(/["'`](?:\.\/|\/assets\/)([\w.-]+\.(?:js|css|wasm))["'`]/g)) found.add(`/assets/${m[1]}`);
  return [...found];
}

/**
 * Keeps `html` (the response's text) as the shell, with every file it names
 * and every file those scripts load later (lazy chunks, workers), so the
 * whole app starts from the cache, not only its first screen.
 */
async function keepShell(cache, html, headers) {
  const seen = new Set();
  let next = assetsOf(html);
  while (next.length > 0 && seen.size < 200) {
    next.forEach((p) => seen.add(p));
    await cache.addAll(next);
    const found = [];
    for (const p of next) {
      if (!p.endsWith('.js')) continue;
      const res = await cache.match(p);
      if (res) for (const q of importsOf(await res.text())) if (!seen.has(q)) found.push(q);
    }
    next = [...new Set(found)];
  }
  await cache.put(SHELL, new Response(html, { headers }));
}

async function fetchShell() {
  const res = await fetch(SHELL, { cache: 'no-store' });
  if (!res.ok) throw new Error(`the server answered ${res.status} for ${SHELL}`);
  return { html: await res.text(), headers: { 'Content-Type': res.headers.get('Content-Type') ?? 'text/html; charset=utf-8' } };
}

async function goAway() {
  await caches.delete(CACHE);
  await self.registration.unregister();
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const { html, headers } = await fetchShell();
      if (isDevServer(html)) return;
      const cache = await caches.open(CACHE);
      await cache.addAll(STATIC);
      await keepShell(cache, html, headers);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('softphone-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

/** Fetches the shell behind the kept one; keeps a changed one and tells the pages. */
async function revalidate(cache, kept) {
  const { html, headers } = await fetchShell();
  if (isDevServer(html)) return goAway();
  const old = kept ? await kept.text() : null;
  if (html === old) return;
  await keepShell(cache, html, headers);
  // Files of the old version stay until the next install; they are few and immutable.
  if (old === null) return;
  await cache.put(UPDATED_AT, new Response(String(Date.now())));
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: UPDATED });
}

async function navigation(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(SHELL);
  const behind = revalidate(cache, kept ? kept.clone() : null);
  if (kept) {
    event.waitUntil(behind.catch(() => undefined));
    return kept;
  }
  await behind.catch(() => undefined);
  return (await cache.match(SHELL)) ?? fetch(event.request);
}

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const res = await fetch(request);
  // Hashed files fetched later (a lazily loaded chunk, a worker) are kept too.
  if (res.ok && new URL(request.url).pathname.startsWith('/assets/')) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname === '/') {
    event.respondWith(navigation(event));
  } else if (url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname)) {
    event.respondWith(fromCache(request));
  }
});

// Issue 18: a notification the page could not show itself (Chrome on Android has no Notification constructor) is shown
// through this worker (app/peer/notifier.ts); a click on it brings the app's tab to the front, or opens one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
      const tab = tabs.find((t) => new URL(t.url).origin === self.location.origin);
      return tab ? tab.focus() : self.clients.openWindow('/');
    }),
  );
});
