/** The mailbox: who, when, how long, a picture, storage health, play with download progress, delete. */
import { useEffect, useMemo, useState } from 'react';
import type { Health, MailItem } from '../../mail';
import type { MailService } from '../../peer';
import { ErrorLine } from '../error-line';
import { RetryLine } from '../retry-line';
import { clock, useMail, when } from './use-mail';

function healthWords(h: Health | undefined): string {
  if (!h) return 'checking storage…';
  if (h.deleted) return 'deleted';
  if (h.lost) return `cannot be rebuilt: only ${h.online} of the ${h.k} fragments needed are online`;
  return `fragments online: ${h.online} of ${h.m} (needs ${h.k})${h.atRisk ? ' — at risk' : ''}`;
}

function Thumbnail({ bytes, from }: { bytes: Uint8Array | null; from: string }) {
  // A data: URL (the picture is at most 4 KiB): nothing to revoke. A blob URL revoked by an effect's
  // cleanup broke the picture under StrictMode, which runs every cleanup once at mount.
  const url = useMemo(() => (bytes ? `data:image/jpeg;base64,${btoa(String.fromCharCode(...bytes))}` : null), [bytes]);
  return url ? <img className="mail-thumb" src={url} alt={`First frame of the message from ${from}`} width={96} /> : <div className="mail-thumb" aria-hidden="true" />;
}

function Message({ service, item, health }: { service: MailService; item: MailItem; health: Health | undefined }) {
  const [progress, setProgress] = useState<number | null>(null);
  const [video, setVideo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => () => void (video && URL.revokeObjectURL(video)), [video]);

  const play = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setProgress(0);
    try {
      const { video: bytes, type } = await service.play(item.id, (p) => setProgress(p.stripes === 0 ? 1 : p.stripesDone / p.stripes));
      setVideo(URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type })));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      await service.remove(item.id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  const label = `From ${item.from}, ${when(item.sent)}`;
  return (
    <li className="mail-item" data-message-id={item.id} aria-label={label}>
      <Thumbnail bytes={item.meta.thumbnail} from={item.from} />
      <div>
        <p>
          From <strong>{item.from}</strong>
          {!item.senderConfirmed && ' (name not confirmed)'}, {when(item.sent)}, {clock(item.meta.durationMs)} long
        </p>
        <p className={health?.atRisk ? 'mail-health at-risk' : 'mail-health'}>{healthWords(health)}</p>
        <div className="row">
          <button type="button" onClick={() => void play()} disabled={busy}>
            Play message from {item.from}
          </button>
          <button type="button" onClick={() => void remove()} disabled={busy}>
            Delete message from {item.from}
          </button>
        </div>
        {progress !== null && (
          <label>
            Downloading <progress max={1} value={progress} aria-label={`Downloading the message from ${item.from}`} />
          </label>
        )}
        {video && <video className="mail-video" src={video} controls autoPlay aria-label={`Video message from ${item.from}`} />}
        <ErrorLine text={error} />
      </div>
    </li>
  );
}

export function MailboxList({ service }: { service: MailService }) {
  const state = useMail(service);
  return (
    <section className="card" aria-labelledby="mailbox-title">
      <h2 id="mailbox-title">Video messages for you</h2>
      <div className="row">
        <button type="button" onClick={() => void service.refresh()} disabled={state.refreshing}>
          {state.refreshing ? 'Checking…' : 'Check for new messages'}
        </button>
      </div>
      {state.error && <RetryLine text={state.error.replace(/\.$/, '')} retryAt={state.retryAt} onRetry={() => void service.refresh()} />}
      {state.items.length === 0 ? (
        <p>No video messages.</p>
      ) : (
        <ul className="mail-list">
          {state.items.map((item) => (
            <Message key={item.id} service={service} item={item} health={state.health[item.id]} />
          ))}
        </ul>
      )}
      {state.problems.length > 0 && (
        <details>
          <summary>{state.problems.length} message(s) could not be shown</summary>
          <ul>
            {state.problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
