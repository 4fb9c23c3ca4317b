import { fingerprint } from '../identity';
import { useAppSnapshot } from './use-app';

/** When something happened, as the person's locale writes a date and time. */
function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The service peers' bootstrap endpoints this tab remembers, best first:
 * where it comes back through when no signaling server answers.
 */
export function BootstrapsCard() {
  const { bootstraps, signaling } = useAppSnapshot();
  return (
    <section className="card" aria-labelledby="bootstraps-heading">
      <h2 id="bootstraps-heading">Ways back in</h2>
      <p className="hint">
        Service peers that let this tab back into the network when no signaling server answers. The tab learns them from the network and remembers them; it tries
        them in this order, the one that worked last first.
      </p>
      {bootstraps.length === 0 ? (
        <p className="hint" data-testid="no-bootstraps">
          None known yet: this tab needs a signaling server to come back after it closes.
        </p>
      ) : (
        <ul className="plain" aria-label="Ways back in" data-testid="bootstraps">
          {bootstraps.map((b) => (
            <li key={b.url} data-url={b.url}>
              <span className="peer-name">{b.url}</span>{' '}
              <span className="hint">
                {b.nodeId ? `service peer ${fingerprint(b.nodeId)}` : 'an address you were given'}
                {'; '}
                {signaling.kind === 'online' && signaling.server === b.url ? 'in use now' : b.workedAt !== null ? `last worked ${when(b.workedAt)}` : 'not used yet'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
