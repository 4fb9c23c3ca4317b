import { useState } from 'react';
import type { PermissionGate } from '../permissions';
import type { ContactsService } from '../peer';
import { ConversationsSection } from './conversations-section';
import { BlockedSection, ReachSection } from './reach-section';
import { TextFileInput } from './file-input';
import { Identicon } from './identicon';
import { TrustSection } from './trust-section';
import { useStore } from './use-app';
import { REASON_WORDS, SCOPE_NAME, download, formatTime } from './words';

function RulesSection({ gate }: { gate: PermissionGate }) {
  const rules = useStore(gate.rules);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);
  const run = (p: Promise<string>): void => {
    p.then(
      (text) => setMessage({ text, bad: false }),
      (e: unknown) => setMessage({ text: (e as Error).message, bad: true }),
    );
  };
  return (
    <section className="card" aria-labelledby="rules-heading">
      <h2 id="rules-heading">Remembered answers</h2>
      {rules.length === 0 ? (
        <p className="hint">No remembered answers yet. “Always allow” and “Always deny” answers appear here.</p>
      ) : (
        <table>
          <caption className="sr-only">Remembered answers</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">For</th>
              <th scope="col">Answer</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const who = r.subject.name ? `${r.subject.name} (${r.subject.fingerprint})` : r.subject.fingerprint;
              return (
                <tr key={r.id}>
                  <td>
                    <span className="who-inline">
                      <Identicon hexId={r.subject.keyId} size={24} label={`Picture of ${who}’s key`} />
                      {who}
                      <span className="hint">{r.subject.kind === 'user' ? ' person' : ' tab'}</span>
                    </span>
                  </td>
                  <td>{SCOPE_NAME[r.scope]}</td>
                  <td className={r.decision === 'allow' ? 'ok' : 'bad'}>{r.decision === 'allow' ? 'Always allow' : 'Always deny'}</td>
                  <td>{formatTime(r.created)}</td>
                  <td>
                    <button type="button" onClick={() => run(gate.rules.revoke(r.id).then(() => `Revoked the rule for ${who}.`))} aria-label={`Revoke the rule for ${who}, ${SCOPE_NAME[r.scope]}`}>
                      Revoke
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="row">
        <button type="button" disabled={rules.length === 0} onClick={() => run(gate.rules.revokeAll().then((gone) => `Revoked ${gone.length} rule${gone.length === 1 ? '' : 's'}.`))}>
          Revoke all
        </button>
        <button type="button" onClick={() => download('softphone-permission-rules.json', gate.rules.exportJson())}>
          Export rules
        </button>
        <TextFileInput
          label="Import rules from a file"
          onText={(text, name) =>
            run(
              text
                ? gate.rules.importJson(text).then((r) => `Imported ${r.imported} rule${r.imported === 1 ? '' : 's'} from ${name}${r.replaced ? `, replacing ${r.replaced}` : ''}.`)
                : Promise.reject(new Error(`${name} is too large to be a rules file.`)),
            )
          }
        />
      </div>
      {message && (
        <p role={message.bad ? 'alert' : 'status'} className={message.bad ? 'errors' : 'ok'}>
          {message.text}
        </p>
      )}
    </section>
  );
}

function PolicySection({ gate }: { gate: PermissionGate }) {
  const policy = useStore(gate.policy);
  return (
    <section className="card" aria-labelledby="policy-heading">
      <h2 id="policy-heading">Network relay</h2>
      <p className="hint">
        By default you are asked once per network whether its peers may relay traffic through this tab. In strict mode you are asked for every peer.
      </p>
      <label className="check">
        <input type="checkbox" checked={policy.strict} onChange={(e) => void gate.policy.setStrict(e.target.checked)} />
        Ask me for every network link (strict mode)
      </label>
      {policy.overlays.length > 0 && (
        <ul className="plain">
          {policy.overlays.map((o) => (
            <li key={o.overlay}>
              Network “{o.overlay}”: {o.decision === 'allow' ? 'allowed' : 'refused'} {o.remembered ? `since ${formatTime(o.since)}` : 'for this visit'}{' '}
              <button type="button" onClick={() => void gate.policy.forgetOverlay(o.overlay)} aria-label={`Forget the answer for network ${o.overlay}`}>
                Forget
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function AuditSection({ gate }: { gate: PermissionGate }) {
  const entries = useStore(gate.audit);
  const [all, setAll] = useState(false);
  const shown = all ? entries : entries.slice(0, 20);
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Decisions log</h2>
      <p className="hint">Every decision about who may connect, in all your tabs, newest first (the last {1000} are kept).</p>
      {entries.length === 0 ? (
        <p className="hint">Nothing decided yet.</p>
      ) : (
        <table data-testid="audit-log">
          <caption className="sr-only">Decisions log</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">For</th>
              <th scope="col">Way</th>
              <th scope="col">Decision</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.seq}>
                <td>{formatTime(e.at)}</td>
                <td>{e.name ? `${e.name} (${e.fingerprint})` : e.fingerprint}</td>
                <td>{SCOPE_NAME[e.scope]}</td>
                <td>{e.direction === 'inbound' ? 'to you' : 'from you'}</td>
                <td className={e.allow ? 'ok' : 'bad'}>{e.allow ? 'allowed' : 'refused'}</td>
                <td>
                  {e.reason === 'user' ? e.detail : `${REASON_WORDS[e.reason]}: ${e.detail}`}
                  {e.tab !== undefined && e.tab !== gate.audit.tab && <span className="hint"> (in another tab)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        {entries.length > 20 && (
          <button type="button" onClick={() => setAll(!all)}>
            {all ? 'Show the latest 20' : `Show all ${entries.length}`}
          </button>
        )}
        <button type="button" disabled={entries.length === 0} onClick={() => download('softphone-decisions-log.json', gate.audit.exportJson(Date.now()))}>
          Export log
        </button>
      </div>
    </section>
  );
}

export function PermissionsPage({ gate, contacts }: { gate: PermissionGate; contacts?: ContactsService | null | undefined }) {
  return (
    <div className="page">
      <h2 className="page-title">Permissions</h2>
      <p className="hint">You decide who may connect to this browser. Nobody else does, not even a server.</p>
      {contacts && <ReachSection contacts={contacts} />}
      <BlockedSection gate={gate} />
      <RulesSection gate={gate} />
      <ConversationsSection gate={gate} />
      <PolicySection gate={gate} />
      <TrustSection gate={gate} />
      <AuditSection gate={gate} />
    </div>
  );
}
