import { describe, expect, it } from 'vitest';
import type { CallView, UserAgentSnapshot } from '../sip';
import { alertFavicon, alertTitle } from './page-signals';
import { RING_CADENCE_S, ringCycle } from './ring-tone';
import { TabAlerts, type Attention, type PhoneSource } from './tab-alerts';
import type { AlertNotice, NotificationApi } from './notifier';

/** A UserAgent's store, driven by the test. */
class FakeUa {
  private fns = new Set<() => void>();
  snap: UserAgentSnapshot = { registration: 'registered', recent: [], registrationError: null, registrationRetryAt: null, calls: [], chatVersion: 0, lastMessageFrom: null, lastMessageIn: null };
  subscribe = (fn: () => void) => (this.fns.add(fn), () => this.fns.delete(fn));
  getSnapshot = () => this.snap;
  set(patch: Partial<UserAgentSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.fns.forEach((f) => f());
  }
}

function call(id: string, peer: string, state: CallView['state'], outcomeCode: CallView['outcomeCode'] = null): CallView {
  return { id, peer, direction: 'in', state, video: false, camera: false, canAnswerWithVideo: false, muted: false, cameraOff: false, startedAt: 0, answeredAt: null, endedAt: null, outcome: null, outcomeCode, waiting: false, held: false, heldByPeer: false };
}

function setUp(looking = false) {
  const ua = new FakeUa();
  const phone: PhoneSource = { subscribe: () => () => undefined, ua };
  const tone = { rings: 0, stops: 0, unlocks: 0, on: false };
  const shown: AlertNotice[] = [];
  const closed: string[] = [];
  const titles: { ringingFrom: string | null; unseen: number }[] = [];
  let gesture: (() => void) | null = null;
  let attentionChanged: (() => void) | null = null;
  const state = { looking, focused: 0 };
  const notifications: NotificationApi = {
    permission: () => 'granted',
    request: () => Promise.resolve('granted'),
    show: (n, onClick) => {
      shown.push(n);
      clicks.set(n.tag, onClick);
      return Promise.resolve(() => closed.push(n.tag));
    },
  };
  const clicks = new Map<string, () => void>();
  const attention: Attention = {
    looking: () => state.looking,
    onChange: (fn) => ((attentionChanged = fn), () => undefined),
    focus: () => state.focused++,
    onGesture: (fn) => ((gesture = fn), () => undefined),
  };
  const alerts = new TabAlerts({
    phone,
    tone: {
      start: () => ((tone.on = true), tone.rings++),
      stop: () => ((tone.on = false), tone.stops++),
      unlock: () => tone.unlocks++,
      probe: () => ({ ringing: tone.on, contextState: 'running', level: 0 }),
    },
    signals: { show: (s) => titles.push(s) },
    notifications,
    attention,
  });
  return { ua, alerts, tone, shown, closed, titles, clicks, state, gesture: () => gesture?.(), look: () => ((state.looking = true), attentionChanged?.()), attentionChanged: () => attentionChanged?.() };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('alerts that reach a person (issue 18)', () => {
  it('an incoming call rings, shows in the title, and notifies a person not looking; a click focuses the tab; it all stops when the call stops ringing', async () => {
    const t = setUp();
    t.ua.set({ calls: [call('c1', 'alice', 'incoming')] });
    await flush();
    expect(t.tone.on).toBe(true);
    expect(t.titles.at(-1)).toEqual({ ringingFrom: 'alice', unseen: 0 });
    expect(t.shown).toEqual([expect.objectContaining({ tag: 'call-c1', title: 'alice is calling', sticky: true })]);
    t.clicks.get('call-c1')!();
    expect(t.state.focused).toBe(1);
    // Re-renders of the same ringing call change nothing.
    t.ua.set({ calls: [{ ...call('c1', 'alice', 'incoming'), muted: true }] });
    expect(t.tone.rings).toBe(1);
    expect(t.shown).toHaveLength(1);
    t.ua.set({ calls: [call('c1', 'alice', 'active')] });
    expect(t.tone.on).toBe(false);
    expect(t.closed).toEqual(['call-c1']);
    expect(t.titles.at(-1)).toEqual({ ringingFrom: null, unseen: 0 });
  });

  it('a person looking at the tab hears the ring and sees the dialog, without a system notification; leaving the tab while it rings brings the notification, once', () => {
    const t = setUp(true);
    t.ua.set({ calls: [call('c1', 'alice', 'incoming')] });
    expect(t.tone.on).toBe(true);
    expect(t.shown).toEqual([]);
    t.state.looking = false;
    t.attentionChanged();
    t.attentionChanged();
    expect(t.shown).toEqual([expect.objectContaining({ tag: 'call-c1', title: 'alice is calling' })]);
  });

  it('missed calls and new messages notify once each and count in the title until the person looks', () => {
    const t = setUp();
    t.ua.set({ calls: [call('c1', 'alice', 'incoming')] });
    t.ua.set({ calls: [call('c1', 'alice', 'ended', 'missed')] });
    t.ua.set({ calls: [call('c1', 'alice', 'ended', 'missed')] });
    t.ua.set({ lastMessageIn: { id: 'm1', from: 'bob', text: 'x'.repeat(300), at: 1 } });
    t.ua.set({ chatVersion: 5 }); // the same message again: no second notice
    expect(t.shown.map((n) => n.tag)).toEqual(['call-c1', 'missed-c1', 'message-bob']);
    expect(t.shown[2]!.body).toHaveLength(121);
    expect(t.titles.at(-1)).toEqual({ ringingFrom: null, unseen: 2 });
    t.look();
    expect(t.titles.at(-1)).toEqual({ ringingFrom: null, unseen: 0 });
    // Seen while looking: no notice, no count.
    t.ua.set({ lastMessageIn: { id: 'm2', from: 'bob', text: 'hi', at: 2 } });
    expect(t.shown).toHaveLength(3);
    expect(t.titles.at(-1)).toEqual({ ringingFrom: null, unseen: 0 });
  });

  it('a gesture on the page unlocks the audio (the autoplay policy)', () => {
    const t = setUp();
    t.gesture();
    expect(t.tone.unlocks).toBe(1);
  });

  it('the title and favicon say who is calling, or how many things are unseen, and are the page’s own otherwise', () => {
    expect(alertTitle({ ringingFrom: 'alice', unseen: 3 }, 'P2P Softphone')).toBe('📞 alice is calling — P2P Softphone');
    expect(alertTitle({ ringingFrom: null, unseen: 3 }, 'P2P Softphone')).toBe('(3) P2P Softphone');
    expect(alertTitle({ ringingFrom: null, unseen: 0 }, 'P2P Softphone')).toBe('P2P Softphone');
    expect(alertFavicon({ ringingFrom: null, unseen: 0 })).toBeNull();
    expect(alertFavicon({ ringingFrom: 'alice', unseen: 0 })).toMatch(/^data:image\/svg\+xml,/);
    expect(decodeURIComponent(alertFavicon({ ringingFrom: null, unseen: 12 })!)).toMatch(/>9\+<\/text>/);
  });

  it('the ring is the double ring: tone in the on parts, silence in the off parts', () => {
    const rate = 8000;
    const cycle = ringCycle(rate);
    expect(cycle.length).toBe(Math.round(RING_CADENCE_S.reduce((a, b) => a + b, 0) * rate));
    const rms = (from: number, to: number) => Math.sqrt(cycle.slice(from * rate, to * rate).reduce((a, s) => a + s * s, 0) / ((to - from) * rate));
    expect(rms(0.05, 0.35)).toBeGreaterThan(0.05);
    expect(rms(0.42, 0.58)).toBe(0);
    expect(rms(0.65, 0.95)).toBeGreaterThan(0.05);
    expect(rms(1.1, 2.9)).toBe(0);
    expect(Math.max(...cycle.map(Math.abs))).toBeLessThanOrEqual(0.25);
  });
});
