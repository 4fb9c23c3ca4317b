/**
 * Asking for notifications at the moment that explains why (issue 18): once
 * the person has a name, so people can call them, the header offers alerts
 * in plain words; the browser's permission prompt comes only from that
 * button, never on page load. "Not now" is remembered for this browser.
 */
import { useState } from 'react';
import type { CallService, TabAlerts } from '../peer';
import { useServices, useStore } from './use-app';

/** Where "Not now" is remembered (localStorage, read synchronously while rendering). */
const DISMISSED_KEY = 'p2p-softphone-alerts-offer-dismissed';

function dismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

function Offer({ alerts, calls }: { alerts: TabAlerts; calls: CallService }) {
  const phone = useStore(calls);
  const [hidden, setHidden] = useState(dismissed);
  const [answer, setAnswer] = useState<NotificationPermission | 'unsupported' | null>(null);
  const permission = answer ?? alerts.probe().permission;
  if (hidden || phone.status !== 'ready' || !phone.name) return null;
  if (permission === 'granted' && answer === null) return null;
  // Decided before (by the person or the browser's own settings): nothing to offer, and no reason to nag.
  if ((permission === 'unsupported' || permission === 'denied') && answer === null) return null;
  const notNow = (): void => {
    try {
      localStorage.setItem(DISMISSED_KEY, '1');
    } catch {
      // Private modes: the offer comes back next time, which is harmless.
    }
    setHidden(true);
  };
  return (
    <section className="alerts-offer" aria-labelledby="alerts-offer-heading">
      <h2 id="alerts-offer-heading">Hear your calls when this tab is in the background</h2>
      {answer === 'granted' ? (
        <p role="status">
          Alerts are on: a call rings and shows a notification from your system, and missed calls and messages show one too.{' '}
          <button type="button" onClick={() => setHidden(true)}>
            Close
          </button>
        </p>
      ) : permission === 'denied' ? (
        <p role="status">
          Your browser blocks notifications for this site, so you get no system notification. Calls still ring in this tab, and its title changes. You can
          allow notifications in the browser’s settings for this site.{' '}
          <button type="button" onClick={notNow}>
            Close
          </button>
        </p>
      ) : (
        <>
          <p>
            People can call you as {phone.name} now. A phone mostly waits in a tab behind others: let this tab show a notification from your system when
            someone calls, when you miss a call and when a message comes. The browser asks you to confirm.
          </p>
          <div className="row">
            <button type="button" className="primary" onClick={() => void alerts.requestPermission().then(setAnswer)}>
              Turn on alerts
            </button>
            <button type="button" onClick={notNow}>
              Not now
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** The offer of alerts, in the header, once the person has a name and until they answer it. */
export function AlertsOffer() {
  const services = useServices();
  return services.alerts && services.calls ? <Offer alerts={services.alerts} calls={services.calls} /> : null;
}
