/**
 * The page side of the calls benchmark, installed into every tab with
 * page.evaluate (so it must not use anything from this module's scope).
 * Clock: Date.now(), the one wall clock all tabs of the machine share, so a
 * time taken in the caller's tab and one taken in the callee's compare.
 */

import type { MediaConnection } from 'peerjs';
import type { CallView } from '../../app/sip/index.ts';
import type {} from '../../app/dev/index.ts';

/** One DHT read on the call path: a name resolution or a registration lookup. */
export interface DhtSpan {
  what: 'name' | 'location';
  name: string;
  t0: number;
  t1: number;
}

export interface CallTimes {
  /** The phone API was asked to dial (SIP) or to get media and call (PeerJS). */
  tDial: number;
  /** The caller heard back that it rings (180 at the caller); SIP only. */
  tRingBack: number | null;
  /** The first remote video frame at the caller: decoded (getStats) or presented (video element), whichever was seen first. */
  tFirstFrame: number | null;
  how: 'stats' | 'frame' | 'none';
  id: string;
  outcome: string | null;
}

/** What the callee's tab saw of a call: when it was alerted and when it answered (at once, by the benchmark). */
export interface CalleeTimes {
  ringAt: number;
  answerAt: number | null;
}

/**
 * One step of a call seen in a tab, for the breakdown of dial → media:
 * SIP text handed to the overlay (`out`, `t1` when the target acknowledged),
 * SIP text delivered by the overlay after it was opened (`in`), an
 * agreement-ask this tab had to send first (`ask`), and the caller's
 * PeerConnection reaching ICE connected (`ice`) and DTLS connected (`dtls`).
 */
export interface TraceEvent {
  what: 'out' | 'in' | 'ask' | 'ice' | 'dtls';
  /** The SIP start line (`INVITE`, `SIP/2.0 200`, ...), the target node of an ask, or the call id of a PeerConnection event. */
  line: string;
  callId: string;
  t0: number;
  t1: number;
}

export interface PageBench {
  dht: DhtSpan[];
  trace: TraceEvent[];
  incoming: Record<string, CalleeTimes>;
  floorIn: CalleeTimes[];
  sipCall(callee: string, timeoutMs: number): Promise<CallTimes>;
  floorCall(remoteId: string, timeoutMs: number): Promise<CallTimes>;
  hangUpAll(): void;
}

type CallViewLike = CallView;

/**
 * Times every DHT read the phone makes (the registration lookup of the
 * callee at the caller, the caller check and the contact policy at the
 * callee), answers incoming SIP and PeerJS calls at once, and offers the
 * two kinds of call. Run after the tab's name is claimed.
 */
export function installBench(): void {
  const w = window as unknown as { __bench?: PageBench };
  if (w.__bench) return;
  const h = window.softphoneTest;
  if (!h) throw new Error('no test handle in this tab: is the app served by the dev server?');
  const phone = h.phone();
  if (!phone) throw new Error('no phone in this tab: claim a name first');
  const peer = h.signalingPeer();
  if (!peer) throw new Error('no PeerJS peer in this tab');
  const now = (): number => Date.now();
  const dht: DhtSpan[] = [];
  const incoming: Record<string, CalleeTimes> = {};
  const floorIn: CalleeTimes[] = [];
  const floorConns: MediaConnection[] = [];

  const time = (obj: Record<string, unknown>, method: string, what: DhtSpan['what']): void => {
    const orig = obj[method];
    if (typeof orig !== 'function') throw new Error(`nothing to time: ${what} has no ${method}()`);
    obj[method] = async (name: string, ...rest: unknown[]) => {
      const t0 = now();
      try {
        return await (orig as (...a: unknown[]) => Promise<unknown>).call(obj, name, ...rest);
      } finally {
        dht.push({ what, name: String(name), t0, t1: now() });
      }
    };
  };
  time(h.nameDirectory() as unknown as Record<string, unknown>, 'resolve', 'name');
  const location = h.sipLocation() as unknown as Record<string, unknown> | null;
  if (!location) throw new Error('the phone has no location service to time');
  time(location, 'lookup', 'location');

  // Where the time of a call goes between the phone and the overlay: the UA's socket hands SIP text to its network
  // (OverlaySipNetwork.send resolves when the target acknowledged), the overlay delivers what it opened, and an
  // agreement-ask is sent before the first sealed message to a node whose key this tab does not know.
  const trace: TraceEvent[] = [];
  /** `INVITE`, or a response's status and method (`SIP/2.0 200 INVITE`), and the Call-ID. */
  const sipLine = (text: string): { line: string; callId: string } => {
    const start = text.slice(0, text.indexOf('\r\n') >>> 0);
    const method = /^CSeq[ \t]*:[ \t]*\d+[ \t]+(\S+)/im.exec(text)?.[1] ?? '';
    const line = start.startsWith('SIP/2.0 ') ? `${start.slice(0, 11)} ${method}` : start.split(' ')[0]!;
    return { line, callId: /^(?:Call-ID|i)[ \t]*:[ \t]*(\S+)/im.exec(text)?.[1] ?? '' };
  };
  type Hookable = Record<string, unknown>;
  const socket = ((phone as unknown as Hookable)['ua'] as { _transport?: { socket?: Hookable } } | null)?._transport?.socket;
  const network = (socket?.['o'] as Hookable | undefined)?.['network'] as Hookable | undefined;
  if (!network || typeof network['send'] !== 'function') throw new Error('nothing to trace: the phone has no overlay network');
  const send = network['send'] as (node: string, text: string) => Promise<unknown>;
  network['send'] = async (node: string, text: string) => {
    const ev: TraceEvent = { what: 'out', ...sipLine(text), t0: now(), t1: NaN };
    trace.push(ev);
    try {
      return await send.call(network, node, text);
    } finally {
      ev.t1 = now();
    }
  };
  h.onRouted('sip', (_from, body) => {
    trace.push({ what: 'in', ...sipLine(new TextDecoder().decode(body)), t0: now(), t1: now() });
  });
  const router = ((network['node'] as Hookable | undefined)?.['routed'] ?? null) as Hookable | null;
  if (router && typeof router['askKey'] === 'function') {
    const ask = router['askKey'] as (to: string, timeout: number) => Promise<unknown>;
    router['askKey'] = async (to: string, timeout: number) => {
      const ev: TraceEvent = { what: 'ask', line: to.slice(0, 8), callId: '', t0: now(), t1: NaN };
      trace.push(ev);
      try {
        return await ask.call(router, to, timeout);
      } finally {
        ev.t1 = now();
      }
    };
  }
  /** Records when `pc` reaches ICE connected and DTLS connected (connectionState), once each. */
  const watchConnection = (pc: RTCPeerConnection, callId: string): void => {
    const mark = (what: 'ice' | 'dtls'): void => {
      if (!trace.some((e) => e.what === what && e.callId === callId)) trace.push({ what, line: '', callId, t0: now(), t1: now() });
    };
    const check = (): void => {
      if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') mark('ice');
      if (pc.connectionState === 'connected') mark('dtls');
    };
    pc.addEventListener('iceconnectionstatechange', check);
    pc.addEventListener('connectionstatechange', check);
    check();
  };

  // The benchmark answers at once: no human think time in the figures.
  const seen = new Set<string>();
  phone.subscribe(() => {
    for (const c of phone.getSnapshot().calls) {
      if (c.direction !== 'in' || seen.has(c.id)) continue;
      seen.add(c.id);
      const rec: CalleeTimes = { ringAt: now(), answerAt: null };
      incoming[c.id] = rec;
      setTimeout(() => {
        rec.answerAt = now();
        phone.answer(c.id, true);
      }, 0);
    }
  });
  peer.on('call', (mc) => {
    const rec: CalleeTimes = { ringAt: now(), answerAt: null };
    floorIn.push(rec);
    floorConns.push(mc);
    rec.answerAt = now();
    void navigator.mediaDevices.getUserMedia({ audio: true, video: true }).then((s) => {
      mc.answer(s);
      mc.on('close', () => s.getTracks().forEach((t) => t.stop()));
    });
  });

  /** Resolves when the first remote video frame is seen on the connection `pc()` returns, or at `until` / when `over()`. */
  const firstFrame = (pc: () => RTCPeerConnection | null, until: number, over: () => boolean, watchId: string): Promise<{ t: number | null; how: CallTimes['how'] }> =>
    new Promise((resolve) => {
      let done = false;
      let busy = false;
      let hooked: RTCPeerConnection | null = null;
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.setAttribute('style', 'position:fixed;left:0;top:0;width:32px;height:24px;opacity:0.01;pointer-events:none');
      document.body.append(video);
      const finish = (t: number | null, how: CallTimes['how']): void => {
        if (done) return;
        done = true;
        clearInterval(timer);
        video.srcObject = null;
        video.remove();
        resolve({ t, how });
      };
      const attach = (track: MediaStreamTrack): void => {
        if (track.kind !== 'video' || video.srcObject) return;
        video.srcObject = new MediaStream([track]);
        void video.play().catch(() => undefined);
        video.requestVideoFrameCallback(() => finish(now(), 'frame'));
      };
      const timer = setInterval(() => {
        if (now() > until || over()) return finish(null, 'none');
        const c = pc();
        if (!c || busy) return;
        if (hooked !== c) {
          hooked = c;
          watchConnection(c, watchId);
          // Hooked within 5 ms of dialing; the remote track comes with the answer, much later.
          c.addEventListener('track', (e) => attach(e.track));
        }
        busy = true;
        void c
          .getStats()
          .then((report) => {
            report.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
              if (r.type === 'inbound-rtp' && r.kind === 'video' && (r.framesDecoded ?? 0) > 0) finish(now(), 'stats');
            });
          })
          .finally(() => (busy = false));
      }, 5);
    });

  const sipCall = async (callee: string, timeoutMs: number): Promise<CallTimes> => {
    const tDial = now();
    phone.call(callee, true);
    const c = phone.getSnapshot().calls.at(-1);
    if (!c || c.direction !== 'out' || c.peer !== callee) throw new Error(`the phone did not start a call to ${callee}`);
    const id = c.id;
    const view = (): CallViewLike | undefined => phone.getSnapshot().calls.find((x) => x.id === id);
    let tRingBack: number | null = null;
    const off = phone.subscribe(() => {
      if (tRingBack === null && view()?.state === 'ringing') tRingBack = now();
    });
    const r = await firstFrame(() => phone.connection(id), tDial + timeoutMs, () => view()?.state === 'ended', id);
    off();
    const outcome = view()?.outcome ?? null;
    phone.hangUp(id);
    return { tDial, tRingBack, tFirstFrame: r.t, how: r.how, id, outcome };
  };

  const floorCall = async (remoteId: string, timeoutMs: number): Promise<CallTimes> => {
    const tDial = now();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const mc = peer.call(remoteId, stream);
    let failed = false;
    mc.on('error', () => (failed = true));
    try {
      const r = await firstFrame(() => mc.peerConnection, tDial + timeoutMs, () => failed, `floor ${tDial}`);
      return { tDial, tRingBack: null, tFirstFrame: r.t, how: r.how, id: remoteId, outcome: failed ? 'PeerJS reported an error' : null };
    } finally {
      mc.close();
      stream.getTracks().forEach((t) => t.stop());
    }
  };

  const hangUpAll = (): void => {
    for (const c of phone.getSnapshot().calls) if (c.state !== 'ended') phone.hangUp(c.id);
    for (const mc of floorConns.splice(0)) mc.close();
  };

  w.__bench = { dht, trace, incoming, floorIn, sipCall, floorCall, hangUpAll };
}
