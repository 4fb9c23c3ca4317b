import { useId, useState } from 'react';
import { fitsUtf8 } from '../identity';
import { MAX_ROOT_LABEL, SCOPES, type PermissionGate } from '../permissions';
import { TextFileInput } from './file-input';
import { Identicon } from './identicon';
import { useAppSnapshot, useServices, useStore } from './use-app';
import { SCOPE_NAME } from './words';

function AddRoot({ gate }: { gate: PermissionGate }) {
  const keyId = useId();
  const labelId = useId();
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const [msg, setMsg] = useState<{ text: string; bad: boolean } | null>(null);
  const labelProblemId = useId();
  // Bytes, as the label is kept; maxLength would count UTF-16 units and cut a paste without a word.
  const labelTooLong = !fitsUtf8(label.trim(), MAX_ROOT_LABEL);
  const add = (text: string): void => {
    if (labelTooLong) return;
    gate.roots.add(text, label.trim() ? { label: label.trim() } : {}).then(
      (r) => {
        setMsg({ text: `Now trusting “${r.label}” (${r.fingerprint}).`, bad: false });
        setKey('');
        setLabel('');
      },
      (e: unknown) => setMsg({ text: `That root key was not added: ${(e as Error).message}`, bad: true }),
    );
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        add(key);
      }}
    >
      <label htmlFor={keyId}>Root public key (PEM, base64, hex or the .public.json file’s text)</label>
      <textarea id={keyId} rows={3} value={key} onChange={(e) => setKey(e.target.value)} spellCheck={false} />
      <label htmlFor={labelId}>A name for it (optional)</label>
      <input id={labelId} value={label} onChange={(e) => setLabel(e.target.value)} aria-invalid={labelTooLong} aria-describedby={labelTooLong ? labelProblemId : undefined} />
      <p id={labelProblemId} role="status" className={labelTooLong ? 'errors' : undefined}>
        {labelTooLong ? `This name is too long: a name can take ${MAX_ROOT_LABEL} bytes (a letter with an accent takes 2, an emoji 4).` : null}
      </p>
      <div className="row">
        <button type="submit" disabled={!key.trim() || labelTooLong}>
          Trust this root
        </button>
        <TextFileInput label="Or import a root key file" onText={(text, name) => (text ? add(text) : setMsg({ text: `${name} is too large to be a key.`, bad: true }))} />
      </div>
      {msg && (
        <p role={msg.bad ? 'alert' : 'status'} className={msg.bad ? 'errors' : 'ok'}>
          {msg.text}
        </p>
      )}
    </form>
  );
}

function MyCertificate() {
  const services = useServices();
  const { certificate } = useAppSnapshot();
  const [msg, setMsg] = useState<{ text: string; bad: boolean } | null>(null);
  const set = (text: string): void => {
    void services.setCertificate(text).then((err) => setMsg(err ? { text: err, bad: true } : { text: 'Certificate saved; new links present it.', bad: false }));
  };
  return (
    <>
      <h3>Your certificate</h3>
      {certificate ? (
        <p>
          You present a certificate for the name <strong>{certificate.name}</strong>.{' '}
          <button type="button" onClick={() => void services.removeCertificate()}>
            Stop presenting it
          </button>
        </p>
      ) : (
        <p className="hint">In a closed deployment an operator signs your user key; import the certificate they give you so that peers who trust them let you in.</p>
      )}
      <TextFileInput label="Import your certificate" onText={(text, name) => (text ? set(text) : setMsg({ text: `${name} is too large to be a certificate.`, bad: true }))} />
      {msg && (
        <p role={msg.bad ? 'alert' : 'status'} className={msg.bad ? 'errors' : 'ok'}>
          {msg.text}
        </p>
      )}
    </>
  );
}

export function TrustSection({ gate }: { gate: PermissionGate }) {
  const roots = useStore(gate.roots);
  return (
    <section className="card" aria-labelledby="roots-heading">
      <h2 id="roots-heading">Trusted roots</h2>
      <p className="hint">A root is a key you trust to vouch for people. Peers whose identity it signed can be let in without a question.</p>
      {roots.length > 0 && (
        <ul className="plain roots">
          {roots.map((r) => (
            <li key={r.id}>
              <span className="who-inline">
                <Identicon hexId={r.id} size={24} label={`Picture of root ${r.label}`} />
                <strong>{r.label}</strong> <span className="fingerprint-small">{r.fingerprint}</span>
              </span>
              <fieldset>
                <legend>Let in peers it signed, without asking, for:</legend>
                {SCOPES.map((s) => (
                  <label key={s} className="check">
                    <input type="checkbox" checked={r.allow[s]} onChange={(e) => void gate.roots.setAllow(r.id, s, e.target.checked)} />
                    {SCOPE_NAME[s]}
                  </label>
                ))}
              </fieldset>
              <button type="button" onClick={() => void gate.roots.remove(r.id)} aria-label={`Stop trusting root ${r.label}`}>
                Stop trusting
              </button>
            </li>
          ))}
        </ul>
      )}
      <AddRoot gate={gate} />
      <MyCertificate />
    </section>
  );
}
