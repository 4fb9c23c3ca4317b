/**
 * System notifications through the Notification API (issue 18): an incoming
 * call, a missed call, a new message. Permission is asked only when the
 * person asks for alerts (NotificationPermission is never requested on page
 * load: browsers penalise that, and a person cannot tell why it is asked).
 * A click focuses the tab. Where the page may not construct a Notification
 * (Chrome on Android throws "Illegal constructor"), the service worker's
 * registration shows it instead, when there is one.
 */

/** What a notification says; `tag` replaces an earlier one with the same tag (one per call, one per sender). */
export interface AlertNotice {
  readonly tag: string;
  readonly title: string;
  readonly body: string;
  /** Keep it on screen until the person acts (a ringing call). */
  readonly sticky?: boolean;
}

/** The browser's side of notifications; the real one by default, a fake in tests. */
export interface NotificationApi {
  permission(): NotificationPermission | 'unsupported';
  request(): Promise<NotificationPermission | 'unsupported'>;
  /** Shows a notice; returns a function that closes it. `onClick` runs when the person clicks it. */
  show(n: AlertNotice, onClick: () => void): Promise<() => void>;
}

/** The page's Notification API, with the service worker as the fallback. */
export function browserNotifications(): NotificationApi {
  const supported = typeof Notification !== 'undefined';
  return {
    permission: () => (supported ? Notification.permission : 'unsupported'),
    request: async () => (supported ? await Notification.requestPermission() : 'unsupported'),
    show: async (n, onClick) => {
      if (!supported || Notification.permission !== 'granted') return () => undefined;
      const options: NotificationOptions = { body: n.body, tag: n.tag, requireInteraction: n.sticky === true, icon: '/favicon.svg' };
      try {
        const shown = new Notification(n.title, options);
        shown.onclick = () => {
          onClick();
          shown.close();
        };
        return () => shown.close();
      } catch {
        const reg = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
        if (!reg) return () => undefined;
        await reg.showNotification(n.title, options);
        return () => void reg.getNotifications({ tag: n.tag }).then((all) => all.forEach((x) => x.close()));
      }
    },
  };
}
