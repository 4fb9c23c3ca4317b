/**
 * The installed app (issue 19): registering the app shell's service worker
 * (public/sw.js) and the two notices it makes possible: "you are offline"
 * when the page came from this device and the server does not answer, and
 * "a new version is ready" when the worker has kept a newer build.
 */
import { useEffect, useState } from 'react';

/** The message public/sw.js posts when it has kept a new version of the app. */
const UPDATED = 'softphone-shell-updated';
/** The cache entry where public/sw.js notes when it kept a new version (ms since the epoch). */
const UPDATED_AT = '/softphone-shell-updated-at';
/** How often an offline page asks whether the server is back, in ms. */
const PROBE_EVERY_MS = 15_000;

/**
 * Registers public/sw.js for the whole origin. Production builds only
 * (main.tsx): under the development server a worker that keeps the page
 * would serve stale modules. Never throws; a browser without service
 * workers (or an insecure origin) simply runs the app without one.
 */
export function registerAppShell(): void {
  if (!('serviceWorker' in navigator)) return;
  const register = (): void => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e: unknown) => console.warn(`[app-shell] the service worker was not registered: ${String(e)}`));
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/** Whether the server that served the app answers: a HEAD request the service worker lets through. */
async function serverAnswers(): Promise<boolean> {
  try {
    const res = await fetch(`/?online-check=${Date.now()}`, { method: 'HEAD', cache: 'no-store' });
    return res.ok;
  } catch {
    return false;
  }
}

/** Whether the service worker kept a newer version after this page loaded (so this page is the old one). */
async function newerVersionKept(): Promise<boolean> {
  try {
    const at = await caches.match(UPDATED_AT);
    return at !== undefined && Number(await at.text()) > performance.timeOrigin;
  } catch {
    return false;
  }
}

/** The installed app's notices, shown in the page header; nothing when no service worker controls the page. */
export function AppShellNotices() {
  const [offline, setOffline] = useState(false);
  const [updated, setUpdated] = useState(false);
  useEffect(() => {
    const sw = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
    if (!sw) return;
    let live = true;
    const checkUpdate = (): void => {
      void newerVersionKept().then((yes) => live && yes && setUpdated(true));
    };
    const onMessage = (e: MessageEvent): void => {
      if ((e.data as { type?: unknown } | null)?.type === UPDATED) setUpdated(true);
    };
    sw.addEventListener('message', onMessage);
    // Only a page the worker served can be open with the server down.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const probe = async (): Promise<void> => {
      if (!sw.controller) return;
      checkUpdate();
      const up = await serverAnswers();
      if (!live) return;
      setOffline(!up);
      timer = setTimeout(() => void probe(), PROBE_EVERY_MS);
    };
    void probe();
    const again = (): void => {
      if (timer) clearTimeout(timer);
      void probe();
    };
    window.addEventListener('online', again);
    window.addEventListener('offline', again);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      sw.removeEventListener('message', onMessage);
      window.removeEventListener('online', again);
      window.removeEventListener('offline', again);
    };
  }, []);
  if (!offline && !updated) return null;
  return (
    <div className="shell-notices" aria-live="polite">
      {offline && (
        <p className="shell-notice offline">
          You are offline: the server this app came from does not answer. This is the copy kept on this device; calls, messages and video mail work again when the
          network is back.
        </p>
      )}
      {updated && (
        <p className="shell-notice">
          A new version of the app is ready. It opens the next time you open the app.{' '}
          <button type="button" onClick={() => location.reload()}>
            Open it now
          </button>
        </p>
      )}
    </div>
  );
}
