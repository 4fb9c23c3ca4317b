import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ReadMarks } from '../../peer';
import type { UserAgent } from '../../sip';
import { ErrorLine } from '../error-line';
import { RetryLine } from '../retry-line';
import { useStore } from '../use-app';
import { CallPanels } from './call-panels';
import { ChatPanel } from './chat-panel';

const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** Claiming a name: first come, first served, bound to this person's key. */
export function ClaimName({ claim, initial = '' }: { claim: (name: string) => Promise<string | null>; initial?: string }) {
  const id = useId();
  const [name, setName] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="claim-heading">
      <h2 id="claim-heading">Choose your name</h2>
      <p className="hint">People call you by this name. The first person to claim a name keeps it; it is bound to your key.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const n = name.trim().toLowerCase();
          if (!NAME.test(n)) {
            setError('Use 1 to 32 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit.');
            return;
          }
          setBusy(true);
          setError(null);
          void claim(n).then((err) => {
            setBusy(false);
            setError(err);
          });
        }}
      >
        <label htmlFor={id}>Your name</label>
        <div className="row">
          <input id={id} value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" maxLength={32} />
          <button type="submit" disabled={busy || !name.trim()}>
            {busy ? 'Claiming…' : 'Claim this name'}
          </button>
        </div>
      </form>
      <ErrorLine text={error} />
    </section>
  );
}

function Dialer({ phone, onChat, onLeaveMessage }: { phone: UserAgent; onChat: (peer: string) => void; onLeaveMessage?: ((peer: string) => void) | undefined }) {
  const id = useId();
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const who = target.trim().toLowerCase();
  const act = (f: () => void): void => {
    if (!NAME.test(who)) {
      setError('Type the name of the person, like bob.');
      return;
    }
    setError(null);
    try {
      f();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section className="card" aria-labelledby="dial-heading">
      <h2 id="dial-heading">Call or message someone</h2>
      {/* A form, so Enter in the Name field does what the first button does: a video call. */}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          act(() => phone.call(who, true));
        }}
      >
        <label htmlFor={id}>Name</label>
        <input id={id} value={target} onChange={(e) => setTarget(e.target.value)} autoComplete="off" enterKeyHint="go" />
        <div className="row">
          <button type="submit" className="primary">
            Video call
          </button>
          <button type="button" onClick={() => act(() => phone.call(who, false))}>
            Audio call
          </button>
          <button type="button" onClick={() => act(() => onChat(who))}>
            Send a message
          </button>
          {onLeaveMessage && (
            <button type="button" onClick={() => act(() => onLeaveMessage(who))}>
              Leave a video message
            </button>
          )}
        </div>
      </form>
      <ErrorLine text={error} />
    </section>
  );
}

function RecentCalls({ phone }: { phone: UserAgent }) {
  const { recent } = useStore(phone);
  return (
    <section className="card" aria-labelledby="recent-heading">
      <h2 id="recent-heading">Recent calls</h2>
      {recent.length === 0 ? (
        <p className="hint">No calls yet.</p>
      ) : (
        <ul className="plain" aria-label="Recent calls">
          {recent.slice(0, 20).map((r) => (
            <li key={r.id}>
              <span aria-hidden="true">{r.direction === 'out' ? '↗' : '↙'}</span>
              <strong>{r.peer}</strong>
              <span className="hint">
                {new Date(r.startedAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })} · {r.video ? 'video' : 'audio'} ·{' '}
                {r.seconds > 0 ? `${Math.floor(r.seconds / 60)}:${String(r.seconds % 60).padStart(2, '0')}` : r.outcome}
              </span>
              {/* Called back as it was: with this side's camera only if it was sent before. */}
              <button type="button" onClick={() => phone.call(r.peer, r.camera === true)} aria-label={`Call ${r.peer} again, ${r.camera === true ? 'with video' : 'sound only'}`}>
                {/* The visible words are part of the accessible name (WCAG 2.5.3, Label in Name). */}
                Call {r.peer} again
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The people there is chat history with, with how many of their messages are unread; one click opens the conversation. */
function Conversations({ phone, open, reads }: { phone: UserAgent; open: (peer: string) => void; reads?: ReadMarks | undefined }) {
  const { chatVersion } = useStore(phone);
  const marks = useStore(reads ?? NO_READS);
  const [peers, setPeers] = useState<{ peer: string; unread: number }[]>([]);
  useEffect(() => {
    let live = true;
    void phone.chat.peers().then(async (names) => {
      const list = await Promise.all(names.sort().map(async (peer) => ({ peer, unread: reads ? reads.unread(peer, await phone.chat.load(peer)) : 0 })));
      if (live) setPeers(list);
    });
    return () => {
      live = false;
    };
  }, [phone, chatVersion, reads, marks]);
  if (peers.length === 0) return null;
  return (
    <section className="card" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">Conversations</h2>
      <ul className="plain row" aria-label="Conversations">
        {peers.map(({ peer, unread }) => (
          <li key={peer}>
            <button type="button" onClick={() => open(peer)} aria-label={`Open the conversation with ${peer}${unread > 0 ? `, ${unread} unread` : ''}`}>
              {peer}
              {unread > 0 && (
                <span className="unread" aria-hidden="true">
                  {unread}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A store with no marks, for a phone without read marks. */
const NO_READS = { subscribe: () => () => undefined, getSnapshot: () => EMPTY };
const EMPTY = {};

/** Marks the open conversation read while the page is visible. */
function useMarkRead(phone: UserAgent, peer: string | null, reads: ReadMarks | undefined): void {
  const { chatVersion } = useStore(phone);
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const on = (): void => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  useEffect(() => {
    if (!peer || !reads || !visible) return;
    void phone.chat.load(peer).then((m) => reads.markRead(peer, m));
  }, [phone, peer, reads, visible, chatVersion]);
}

/** The phone: calls in progress, the dialer, a conversation, recent calls. */
export function CallsView({
  phone,
  onLeaveMessage,
  reach,
  onJoinNetwork,
  reads,
  contacts,
}: {
  phone: UserAgent;
  onLeaveMessage?: ((peer: string) => void) | undefined;
  /** Whether the tab is in a ring with other peers, and why not when its own answer keeps it out. */
  reach: { inRing: boolean; refusal: string | null };
  onJoinNetwork: () => void;
  /** What the person has read, for unread counts. */
  reads?: ReadMarks | undefined;
  /** The contacts, shown above the dialer; given the way to open a conversation. */
  contacts?: ((openChat: (peer: string) => void) => ReactNode) | undefined;
}) {
  const snap = useStore(phone);
  const [chatWith, setChatWith] = useState<string | null>(null);
  // Bumped when the person opens a conversation (not when a message opens one), so its field takes focus then only.
  const [chatFocus, setChatFocus] = useState(0);
  const openChat = (peer: string): void => {
    setChatWith(peer);
    setChatFocus((n) => n + 1);
  };
  // A message from someone shows their conversation when none is open.
  const shown = chatWith ?? snap.lastMessageFrom;
  useMarkRead(phone, shown, reads);
  return (
    <div className="page">
      <h2 className="page-title">Home</h2>
      {snap.registration === 'registered' && !reach.inRing ? (
        // Registered on this tab alone: true for the registrar, not for anyone who would call.
        <div className="row" role="status" aria-live="polite">
          <span className={reach.refusal ? 'status-bad' : 'hint'}>
            You are not reachable as {phone.name} yet: {reach.refusal ?? 'this tab is not in the network with other peers yet'}. Calls and messages cannot reach you
            until it joins.
          </span>
          <button type="button" onClick={onJoinNetwork}>
            Join the network
          </button>
        </div>
      ) : snap.registration === 'retrying' ? (
        <RetryLine
          text={`You are not reachable as ${phone.name}: ${snap.registrationError ?? 'the network did not answer'}`}
          retryAt={snap.registrationRetryAt}
          onRetry={() => void phone.registerNow()}
        />
      ) : (
        <p role="status" className="hint">
          {snap.registration === 'registered'
            ? `You are reachable as ${phone.name}.`
            : snap.registration === 'failed'
              ? `You are not reachable: ${snap.registrationError ?? ''}`
              : 'Registering your name…'}
        </p>
      )}
      <CallPanels phone={phone} calls={snap.calls} onLeaveMessage={onLeaveMessage} />
      {contacts?.(openChat)}
      <Dialer phone={phone} onChat={openChat} onLeaveMessage={onLeaveMessage} />
      {shown && <ChatPanel phone={phone} peer={shown} focusRequest={chatFocus} />}
      <Conversations phone={phone} open={openChat} reads={reads} />
      <RecentCalls phone={phone} />
    </div>
  );
}
