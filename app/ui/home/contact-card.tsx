/**
 * A contact's card (issue 18): presence, the key kept for the name and the
 * warning when another key now holds it (trust on first use), favourite,
 * one press to call, video call, write or leave a video message, and block.
 */
import { useId, useState } from 'react';
import type { Contact, ContactsService } from '../../peer';
import type { UserAgent } from '../../sip';
import { ErrorLine } from '../error-line';
import { ModalDialog } from '../modal-dialog';
import { useNow, useStore } from '../use-app';
import { presenceWords } from './presence-words';

export interface ContactActions {
  phone: UserAgent;
  openChat: (peer: string) => void;
  onLeaveMessage?: ((peer: string) => void) | undefined;
}

/** The warning shown while another key than the kept one holds the contact's name. */
export function KeyChangedWarning({ contact, onAccept }: { contact: Contact; onAccept?: () => void }) {
  if (!contact.newKey) return null;
  return (
    <div className="key-warning" role="alert">
      <p>
        <strong>The key behind the name {contact.name} has changed</strong> since you added them: it was {contact.key.fingerprint}, it is now{' '}
        {contact.newKey.fingerprint}. Someone else may hold the name now. Check with {contact.name} in another way before you trust it.
      </p>
      {onAccept && (
        <button type="button" onClick={onAccept}>
          Trust the new key
        </button>
      )}
    </div>
  );
}

export function ContactCard({ contacts, contact, actions, onClose }: { contacts: ContactsService; contact: Contact; actions: ContactActions; onClose: () => void }) {
  const id = useId();
  const { presence } = useStore(contacts);
  useStore(contacts.book);
  const now = useNow(true, 15_000);
  const [error, setError] = useState<string | null>(null);
  const blocked = contacts.isBlocked(contact);
  const words = presenceWords(presence[contact.name], contact.lastSeen, now);
  const name = contact.name;
  const act = (f: () => unknown): void => {
    setError(null);
    try {
      const r = f();
      if (r instanceof Promise) r.catch((e: unknown) => setError((e as Error).message));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const then = (f: () => void) => () => act(() => (f(), onClose()));
  return (
    <ModalDialog labelledBy={`${id}-h`} onCancel={onClose} className="contact-card">
      <h2 id={`${id}-h`}>{name}</h2>
      <p className={`status status-${words.tone === 'ok' ? 'ok' : words.tone === 'off' ? 'bad' : 'busy'}`} data-testid="contact-presence">
        <span className="dot" aria-hidden="true" />
        {words.text}
      </p>
      <KeyChangedWarning contact={contact} onAccept={() => act(() => contacts.book.acceptNewKey(name))} />
      <dl>
        <dt>Key</dt>
        <dd className="fingerprint" aria-label={`${name}’s key fingerprint`}>
          {contact.key.fingerprint}
        </dd>
      </dl>
      {blocked && <p className="hint">You blocked {name}: their calls, messages and video mail are refused without a word to them.</p>}
      <div className="row">
        <button type="button" className="primary" disabled={blocked} onClick={then(() => actions.phone.call(name, true))}>
          Video call
        </button>
        <button type="button" disabled={blocked} onClick={then(() => actions.phone.call(name, false))}>
          Audio call
        </button>
        <button type="button" disabled={blocked} onClick={then(() => actions.openChat(name))}>
          Write
        </button>
        {actions.onLeaveMessage && (
          <button type="button" disabled={blocked} onClick={then(() => actions.onLeaveMessage?.(name))}>
            Leave a video message
          </button>
        )}
      </div>
      <div className="row">
        <button type="button" aria-pressed={contact.favourite} onClick={() => act(() => contacts.book.setFavourite(name, !contact.favourite))}>
          {contact.favourite ? '★ Favourite' : '☆ Favourite'}
        </button>
        {blocked ? (
          <button type="button" onClick={() => act(() => contacts.unblock(contact))}>
            Unblock {name}
          </button>
        ) : (
          <button type="button" className="danger" onClick={() => act(() => contacts.block(contact))}>
            Block {name}
          </button>
        )}
        <button type="button" onClick={then(() => void contacts.remove(name))}>
          Remove from contacts
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorLine text={error} />
    </ModalDialog>
  );
}
