/**
 * Calls and messages that reach a person whose tab is in the background
 * (issue 18). TabAlerts follows the phone (CallService and its UserAgent)
 * and, for an incoming call, rings (RingTone, Web Audio), changes the page's
 * title and favicon (PageSignals) and shows a system notification (Notifier)
 * that focuses the tab when clicked; for a missed call or a new message while
 * the person is not looking, it notifies and counts it in the title until
 * they look. Everything it touches is injected, so its rules are tested
 * without a browser; `browserAlerts` wires the real ones.
 */
import type { UserAgent, UserAgentSnapshot } from '../sip';
import { browserNotifications, type AlertNotice, type NotificationApi } from './notifier';
import { PageSignals, type PageAlertState } from './page-signals';
import { RingTone, type RingToneProbe } from './ring-tone';

/** Whether the person can see the tab, and word when that changes. */
export interface Attention {
  /** True when the page is visible and has focus. */
  looking(): boolean;
  /** Calls `fn` when looking() may have changed; returns the unsubscribe function. */
  onChange(fn: () => void): () => void;
  /** Brings the tab to the front (a click on a notification). */
  focus(): void;
  /** Calls `fn` at every user gesture on the page (pointer or key); returns the unsubscribe function. */
  onGesture(fn: () => void): () => void;
}

/** The phone as TabAlerts follows it: the CallService's store and its current UserAgent (null before a name). */
export interface PhoneSource {
  subscribe(fn: () => void): () => void;
  readonly ua: Pick<UserAgent, 'subscribe' | 'getSnapshot'> | null;
}

export interface TabAlertsParts {
  phone: PhoneSource;
  tone: Pick<RingTone, 'start' | 'stop' | 'unlock' | 'probe'>;
  signals: { show(state: PageAlertState): void };
  notifications: NotificationApi;
  attention: Attention;
}

/** What the test handle reads of the alerts. */
export interface TabAlertsProbe {
  readonly tone: RingToneProbe;
  readonly ringingFrom: string | null;
  readonly unseen: number;
  readonly permission: NotificationPermission | 'unsupported';
}

/** How much of a message a notification shows, in characters. */
const MESSAGE_PREVIEW_CHARS = 120;

export class TabAlerts {
  private ua: PhoneSource['ua'] = null;
  private unwatchUa: (() => void) | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private ringing: { id: string; from: string } | null = null;
  private ringingVideo = false;
  /** The call whose ringing notification was shown. */
  private ringNoticeFor: string | null = null;
  private closeRingNotice: (() => void) | null = null;
  private unseen = 0;
  /** Calls already counted as missed, and the last message already told, so nothing is told twice. */
  private readonly missedTold = new Set<string>();
  private lastMessageTold: string | null = null;

  constructor(private readonly p: TabAlertsParts) {
    this.unsubscribe.push(p.phone.subscribe(() => this.follow()));
    this.unsubscribe.push(p.attention.onChange(() => this.attentionChanged()));
    // The browser lets audio start only after a gesture; the first one makes the context, any later one resumes a ring that could not start.
    this.unsubscribe.push(p.attention.onGesture(() => p.tone.unlock()));
    this.follow();
  }

  /** Asks the browser for permission to notify; call from a click that says why. Resolves with the answer. */
  requestPermission(): Promise<NotificationPermission | 'unsupported'> {
    return this.p.notifications.request();
  }

  probe(): TabAlertsProbe {
    return { tone: this.p.tone.probe(), ringingFrom: this.ringing?.from ?? null, unseen: this.unseen, permission: this.p.notifications.permission() };
  }

  close(): void {
    this.unsubscribe.forEach((u) => u());
    this.unwatchUa?.();
    this.p.tone.stop();
    this.closeRingNotice?.();
  }

  /** The phone's UserAgent changes when a name is claimed: follow the new one. */
  private follow(): void {
    const ua = this.p.phone.ua;
    if (ua === this.ua) return;
    this.unwatchUa?.();
    this.ua = ua;
    this.unwatchUa = ua ? ua.subscribe(() => this.changed(ua.getSnapshot())) : null;
    if (ua) {
      // What was there before this tab followed it is not news.
      const snap = ua.getSnapshot();
      this.lastMessageTold = snap.lastMessageIn?.id ?? null;
      for (const c of snap.calls) if (c.outcomeCode === 'missed') this.missedTold.add(c.id);
      this.changed(snap);
    } else {
      this.setRinging(null);
    }
  }

  private changed(snap: UserAgentSnapshot): void {
    const incoming = snap.calls.find((c) => c.state === 'incoming');
    this.setRinging(incoming ? { id: incoming.id, from: incoming.peer, video: incoming.video } : null);
    for (const c of snap.calls) {
      if (c.outcomeCode !== 'missed' || this.missedTold.has(c.id)) continue;
      this.missedTold.add(c.id);
      this.tell({ tag: `missed-${c.id}`, title: `Missed call from ${c.peer}`, body: `${c.peer} called at ${new Date(c.startedAt).toLocaleTimeString()}.` });
    }
    const m = snap.lastMessageIn;
    if (m && m.id !== this.lastMessageTold) {
      this.lastMessageTold = m.id;
      const body = m.text.length > MESSAGE_PREVIEW_CHARS ? `${m.text.slice(0, MESSAGE_PREVIEW_CHARS)}…` : m.text;
      this.tell({ tag: `message-${m.from}`, title: `Message from ${m.from}`, body });
    }
    this.show();
  }

  private setRinging(call: { id: string; from: string; video: boolean } | null): void {
    if ((call?.id ?? null) === (this.ringing?.id ?? null)) return;
    this.closeRingNotice?.();
    this.closeRingNotice = null;
    this.ringing = call ? { id: call.id, from: call.from } : null;
    if (!call) {
      this.p.tone.stop();
      this.show();
      return;
    }
    this.p.tone.start();
    this.show();
    this.notifyRinging(call.video);
  }

  /**
   * The system notification of the ringing call, once per call. A person
   * looking at the tab sees the dialog; the notification is for a tab behind
   * others or a window without focus, also one left while the call rings.
   */
  private notifyRinging(video = this.ringingVideo): void {
    const call = this.ringing;
    this.ringingVideo = video;
    if (!call || this.ringNoticeFor === call.id || this.p.attention.looking()) return;
    this.ringNoticeFor = call.id;
    const notice: AlertNotice = { tag: `call-${call.id}`, title: `${call.from} is calling`, body: `${video ? 'Video' : 'Audio'} call. Click to go to the call.`, sticky: true };
    void this.p.notifications
      .show(notice, () => this.p.attention.focus())
      .then((close) => {
        if (this.ringing?.id === call.id) this.closeRingNotice = close;
        else close();
      })
      .catch(() => undefined);
  }

  /** A missed call or a message: notified and counted while the person is not looking; they saw it otherwise. */
  private tell(notice: AlertNotice): void {
    if (this.p.attention.looking()) return;
    this.unseen++;
    void this.p.notifications.show(notice, () => this.p.attention.focus()).catch(() => undefined);
  }

  private attentionChanged(): void {
    this.notifyRinging();
    if (this.p.attention.looking() && this.unseen > 0) {
      this.unseen = 0;
      this.show();
    }
  }

  private show(): void {
    this.p.signals.show({ ringingFrom: this.ringing?.from ?? null, unseen: this.unseen });
  }
}

/** The page's attention: visibility, focus and gestures of `window`. */
export function browserAttention(): Attention {
  return {
    looking: () => document.visibilityState === 'visible' && document.hasFocus(),
    onChange: (fn) => {
      document.addEventListener('visibilitychange', fn);
      window.addEventListener('focus', fn);
      window.addEventListener('blur', fn);
      return () => {
        document.removeEventListener('visibilitychange', fn);
        window.removeEventListener('focus', fn);
        window.removeEventListener('blur', fn);
      };
    },
    focus: () => window.focus(),
    onGesture: (fn) => {
      const opts = { capture: true, passive: true } as const;
      window.addEventListener('pointerdown', fn, opts);
      window.addEventListener('keydown', fn, opts);
      return () => {
        window.removeEventListener('pointerdown', fn, opts);
        window.removeEventListener('keydown', fn, opts);
      };
    },
  };
}

/** TabAlerts on this page's real Web Audio, title, favicon and notifications. */
export function browserAlerts(phone: PhoneSource): TabAlerts {
  return new TabAlerts({ phone, tone: new RingTone(), signals: new PageSignals(), notifications: browserNotifications(), attention: browserAttention() });
}
