import { useId, useState } from 'react';
import type { LookupMode } from '../overlay';
import { fingerprint, sha256, toHex, utf8 } from '../identity';
import type { OverlayService } from '../peer';
import { useServices } from './use-app';

/** Turns what a person typed into a DHT key: 40 hex digits as they are, anything else hashed. */
async function keyOf(text: string): Promise<string> {
  const t = text.trim();
  if (/^[0-9a-f]{40}$/.test(t)) return t;
  return toHex((await sha256(utf8(t))).subarray(0, 20));
}

/** A small console for people who want to poke the DHT: look a key up and see where it lives. */
export function DhtConsole({ overlay }: { overlay: OverlayService }) {
  const services = useServices();
  const id = useId();
  const noteId = useId();
  const [note, setNote] = useState('');
  const [text, setText] = useState('');
  const [mode, setMode] = useState<LookupMode>('recursive');
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (what: () => Promise<string>): Promise<void> => {
    setBusy(true);
    try {
      setResult(await what());
    } catch (e) {
      setResult(`That failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const put = (): Promise<void> =>
    act(async () => {
      const signer = await services.recordSigner();
      const key = await keyOf(text);
      const r = await overlay.putNote(key, note, signer);
      const refused = Object.entries(r.refused);
      // Only the key's true replicas count (put.ts); a successor that did not take it is said, not hidden.
      if (r.stored.length === 0) return `Not stored: no replica of ${fingerprint(key)} took it${refused.length ? ` (${refused.map(([n, why]) => `${fingerprint(n)}: ${why}`).join(', ')})` : ''}.`;
      if (!r.onSuccessor) return `Stored under ${fingerprint(key)} on ${r.stored.length} of its replicas, but not on its successor ${fingerprint(r.successor)} (${r.refused[r.successor] ?? 'no answer'}).`;
      return `Stored under ${fingerprint(key)} on ${r.stored.length} replica${r.stored.length === 1 ? '' : 's'}${refused.length ? `; refused by ${refused.map(([n, why]) => `${fingerprint(n)} (${why})`).join(', ')}` : ''}.`;
    });
  const get = (): Promise<void> =>
    act(async () => {
      const key = await keyOf(text);
      const value = await overlay.getNote(key);
      return value === null ? `Nothing is stored under ${fingerprint(key)}.` : `Under ${fingerprint(key)}: “${value}”`;
    });
  const run = async (): Promise<void> => {
    setBusy(true);
    try {
      const key = await keyOf(text);
      const r = await overlay.lookup(key, mode);
      setResult(
        `Key ${fingerprint(key)} lives at ${fingerprint(r.successor)}; replicas on ${r.replicas.map((x) => fingerprint(x)).join(', ')}. ${r.hops} hops, ${r.messages} messages, ${r.latencyMs} ms (${r.mode}).`,
      );
    } catch (e) {
      setResult(`The lookup failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="console-heading">
      <h2 id="console-heading">Look up, store and read a key</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void run();
        }}
      >
        <label htmlFor={id}>Key (40 hex digits, or any text to hash)</label>
        <div className="row">
          <input id={id} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" spellCheck={false} />
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'recursive'} onChange={() => setMode('recursive')} />
            recursive
          </label>
          <label className="check">
            <input type="radio" name="mode" checked={mode === 'iterative'} onChange={() => setMode('iterative')} />
            iterative
          </label>
          <button type="submit" disabled={busy || !text.trim()}>
            {busy ? 'Working…' : 'Look up'}
          </button>
          <button type="button" disabled={busy || !text.trim()} onClick={() => void get()}>
            Read
          </button>
        </div>
        <label htmlFor={noteId}>Text to store under the key (signed with your key, kept for an hour)</label>
        <div className="row">
          <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} autoComplete="off" />
          <button type="button" disabled={busy || !text.trim() || !note} onClick={() => void put()}>
            Store
          </button>
        </div>
      </form>
      {result && (
        <p role="status" data-testid="lookup-result">
          {result}
        </p>
      )}
    </section>
  );
}
