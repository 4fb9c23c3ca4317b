import { useId, useState } from 'react';
import type { SignalingState } from '../transport';
import { useAppSnapshot, useNow, useServices } from './use-app';
import { formatWait } from './words';

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The signaling state in words a person understands. */
export function describeSignaling(s: SignalingState, now: number): { text: string; tone: 'ok' | 'busy' | 'bad' } {
  switch (s.kind) {
    case 'online':
      return { text: `Online via ${hostOf(s.server)}`, tone: 'ok' };
    case 'connecting':
      return { text: `Connecting to ${hostOf(s.server)}…`, tone: 'busy' };
    case 'offline':
      return { text: `Offline, retrying in ${formatWait(s.nextRetryAt - now)} (${s.reason})`, tone: 'bad' };
    case 'stopped':
      return { text: `Not connected (${s.reason})`, tone: 'bad' };
  }
}

export function SignalingPanel() {
  const services = useServices();
  const { signaling, servers, serversAreDefault } = useAppSnapshot();
  const now = useNow(signaling.kind === 'offline');
  const status = describeSignaling(signaling, now);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const fieldId = useId();

  const save = (): void => {
    const problems = services.setServers(draft);
    setErrors(problems);
    if (problems.length === 0) setEditing(false);
  };

  return (
    <section className="card" aria-labelledby="signaling-heading">
      <h2 id="signaling-heading">Signaling server</h2>
      <p className="hint">
        The signaling server only introduces peers to each other; calls, messages and mail go directly between peers.
      </p>
      <p className={`status status-${status.tone}`} role="status" aria-live="polite" data-testid="signaling-status">
        <span className="dot" aria-hidden="true" />
        {status.text}
      </p>
      {signaling.kind === 'offline' && (
        <button type="button" onClick={() => services.retrySignalingNow()}>
          Retry now
        </button>
      )}
      <h3>Servers, in order of preference</h3>
      <ol className="servers" aria-label="Signaling servers">
        {servers.map((s) => (
          <li key={s}>
            <code>{s}</code>
            {serversAreDefault && <span className="hint"> (this app’s own server)</span>}
          </li>
        ))}
      </ol>
      {!editing ? (
        <button
          type="button"
          onClick={() => {
            setDraft(servers.join('\n'));
            setErrors([]);
            setEditing(true);
          }}
        >
          Change signaling servers
        </button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <label htmlFor={fieldId}>Signaling servers, one address per line (the first that answers is used)</label>
          <textarea id={fieldId} rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} />
          {errors.length > 0 && (
            <ul className="errors" role="alert">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
          <div className="row">
            <button type="submit">Save signaling servers</button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button
              type="button"
              onClick={() => {
                services.resetServers();
                setEditing(false);
              }}
            >
              Use this app’s own server
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
