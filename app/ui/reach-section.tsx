/**
 * On the Permissions page (issue 18): "who can reach me" and the people
 * this person blocked. The choice is enforced in the call policy and the
 * mailbox (app/peer/call-policy.ts), not here; a block is the permission
 * rule "always deny" for the person's key, so it is also in the remembered
 * answers above.
 */
import { useId, useState } from 'react';
import { REACH_SETTINGS, type ContactsService, type ReachSetting } from '../peer';
import type { PermissionGate } from '../permissions';
import { ErrorLine } from './error-line';
import { useStore } from './use-app';

const REACH_WORDS: Record<ReachSetting, { label: string; hint: string }> = {
  everyone: { label: 'Everyone', hint: 'You are asked before someone you do not know can call or write to you.' },
  contacts: { label: 'Only my contacts', hint: 'Others’ calls, messages and video mail are refused without a question, except from people you called or wrote to lately.' },
  nobody: { label: 'Nobody', hint: 'Every call, message and video mail is refused, except from people you called or wrote to lately.' },
};

export function ReachSection({ contacts }: { contacts: ContactsService }) {
  const { reach } = useStore(contacts.book);
  const name = useId();
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="reach-heading">
      <h2 id="reach-heading">Who can reach you</h2>
      <fieldset className="choices">
        <legend className="sr-only">Who can call you, write to you and leave you video mail</legend>
        {REACH_SETTINGS.map((r) => (
          <label key={r} className="choice">
            <input
              type="radio"
              name={name}
              value={r}
              checked={reach === r}
              onChange={() => contacts.book.setReach(r).then(() => setError(null), (e: unknown) => setError((e as Error).message))}
            />
            <span>
              <strong>{REACH_WORDS[r].label}</strong>
              <span className="hint"> {REACH_WORDS[r].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <ErrorLine text={error} />
    </section>
  );
}

/** The people blocked: contact-scope "always deny" rules for a person's key, each with Unblock. */
export function BlockedSection({ gate }: { gate: PermissionGate }) {
  const rules = useStore(gate.rules).filter((r) => r.scope === 'contact' && r.subject.kind === 'user' && r.decision === 'deny');
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="blocked-heading">
      <h2 id="blocked-heading">Blocked people</h2>
      {rules.length === 0 ? (
        <p className="hint">Nobody. Block someone from their contact card on Home.</p>
      ) : (
        <ul className="plain" aria-label="Blocked people">
          {rules.map((r) => {
            const who = r.subject.name ?? r.subject.fingerprint;
            return (
              <li key={r.id}>
                <span>
                  <strong>{who}</strong> <span className="hint">key {r.subject.fingerprint}: calls, messages and video mail refused</span>
                </span>
                <button type="button" onClick={() => gate.rules.revoke(r.id).then(() => setError(null), (e: unknown) => setError((e as Error).message))} aria-label={`Unblock ${who}`}>
                  Unblock
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <ErrorLine text={error} />
    </section>
  );
}
