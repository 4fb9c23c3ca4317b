import { useEffect } from 'react';
import { CONVERSATION_MS, type PermissionGate } from '../permissions';
import { useNow, useStore } from './use-app';

function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/**
 * The calling-back rule on the Permissions page: whom this person called or
 * wrote to, who may therefore call and write back without a question, and
 * until when (permissions/conversations.ts).
 */
export function ConversationsSection({ gate }: { gate: PermissionGate }) {
  const conversations = useStore(gate.conversations);
  const now = useNow(conversations.length > 0, 15_000);
  useEffect(() => gate.conversations.prune(), [gate, now]);
  const minutes = Math.round(CONVERSATION_MS / 60_000);
  return (
    <section className="card" aria-labelledby="conversations-rule-heading">
      <h2 id="conversations-rule-heading">Conversations you started</h2>
      <p className="hint">
        When you call or write to someone, they may call and write back without a question until the conversation ends: {minutes} minutes after your last call with
        them hangs up or your last message to them is sent. A reload ends it too; an “Always deny” answer still refuses them.
      </p>
      {conversations.length === 0 ? (
        <p className="hint">None now.</p>
      ) : (
        <ul className="plain" aria-label="Conversations you started">
          {conversations.map((c) => (
            <li key={c.userId}>
              <span>
                <strong>{c.name}</strong> may call and write back: you {c.why === 'called' ? 'called them' : 'wrote to them'} ·{' '}
                {c.endsAt === null ? `ends ${minutes} minutes after your call hangs up` : `ends at ${clockTime(c.endsAt)}`}
              </span>
              <button type="button" onClick={() => gate.conversations.end(c.userId)} aria-label={`End the conversation with ${c.name} now`}>
                End now
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
