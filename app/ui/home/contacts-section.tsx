/**
 * The contacts on Home (issue 18): favourites first, each with presence and
 * one press to call, video call or write; a name opens the contact card.
 * Presence is read only while this list is shown and the page is visible
 * (ContactsService.setWatching), so a tab in the background reads nothing.
 */
import { useEffect, useId, useState } from 'react';
import type { ContactsService } from '../../peer';
import { ErrorLine } from '../error-line';
import { useNow, useStore } from '../use-app';
import { ContactCard, type ContactActions } from './contact-card';
import { presenceWords } from './presence-words';

/** Reads presence while the list is mounted and the page visible. */
function useWatching(contacts: ContactsService): void {
  useEffect(() => {
    const on = (): void => contacts.setWatching(document.visibilityState === 'visible');
    on();
    document.addEventListener('visibilitychange', on);
    return () => {
      document.removeEventListener('visibilitychange', on);
      contacts.setWatching(false);
    };
  }, [contacts]);
}

function AddContact({ contacts }: { contacts: ContactsService }) {
  const id = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="add-contact"
      onSubmit={(e) => {
        e.preventDefault();
        const n = name.trim().toLowerCase();
        if (!n) return;
        setBusy(true);
        setError(null);
        void contacts.add(n).then((err) => {
          setBusy(false);
          setError(err);
          if (!err) setName('');
        });
      }}
    >
      <label htmlFor={id}>Add a contact by name</label>
      <div className="row">
        <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        <button type="submit" disabled={busy || !name.trim()}>
          {busy ? 'Looking up…' : 'Add contact'}
        </button>
      </div>
      <ErrorLine text={error} />
    </form>
  );
}

export function ContactsSection({ contacts, actions }: { contacts: ContactsService; actions: ContactActions }) {
  const book = useStore(contacts.book);
  const { presence } = useStore(contacts);
  const now = useNow(book.contacts.length > 0, 15_000);
  const [open, setOpen] = useState<string | null>(null);
  useWatching(contacts);
  const card = open ? book.contacts.find((c) => c.name === open) : undefined;
  return (
    <section className="card contacts" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">Contacts</h2>
      {book.problem && <p className="warning-line">{book.problem}</p>}
      {book.contacts.length === 0 ? (
        <p className="hint">No contacts yet. Add the people you call by their name; you will see when they are online.</p>
      ) : (
        <ul className="plain contact-list" aria-label="Contacts">
          {book.contacts.map((c) => {
            const words = presenceWords(presence[c.name], c.lastSeen, now);
            const blocked = contacts.isBlocked(c);
            return (
              <li key={c.name} data-contact={c.name}>
                <span className={`status status-${words.tone === 'ok' ? 'ok' : words.tone === 'off' ? 'bad' : 'busy'}`}>
                  <span className="dot" aria-hidden="true" />
                </span>
                <span className="contact-who">
                  <button type="button" className="link" onClick={() => setOpen(c.name)} aria-label={`${c.favourite ? 'Favourite, ' : ''}${c.name}: open the contact card`}>
                    {c.favourite && <span aria-hidden="true">★ </span>}
                    {c.name}
                  </button>
                  <span className="hint" data-testid="presence">
                    {words.text}
                  </span>
                  {c.newKey && <span className="badge bad">key changed</span>}
                  {blocked && <span className="badge">blocked</span>}
                </span>
                {!blocked && (
                  <span className="row contact-actions">
                    <button type="button" onClick={() => actions.phone.call(c.name, false)} aria-label={`Call ${c.name}, sound only`}>
                      Call
                    </button>
                    <button type="button" onClick={() => actions.phone.call(c.name, true)} aria-label={`Video call ${c.name}`}>
                      Video
                    </button>
                    <button type="button" onClick={() => actions.openChat(c.name)} aria-label={`Write to ${c.name}`}>
                      Write
                    </button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <AddContact contacts={contacts} />
      {card && <ContactCard contacts={contacts} contact={card} actions={actions} onClose={() => setOpen(null)} />}
    </section>
  );
}
