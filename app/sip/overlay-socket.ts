/**
 * A JsSIP Socket that carries SIP over the overlay and is, at the same time,
 * this tab's registrar and proxy (DESIGN.md, SIP over the overlay):
 * REGISTER becomes a signed contact entry on the DHT and is answered here;
 * requests go to every node registered for the name (or straight to a
 * `<nodeid>.node.invalid` contact); responses go back to the node in the top
 * Via. Requests that arrive are let through only when their From is a name
 * whose registration lists the sending node and the permission gate allows
 * the caller. Nothing here throws into JsSIP: bad messages are dropped or
 * answered with the error a SIP proxy would give.
 */
import { systemClock, type Clock } from '../common';
import { watchBranches } from './branch-watch';
import { ClockSkewError, NameTakenError, OverlayTimeoutError } from './errors';
import { ForkTable } from './fork-table';
import { COMPLETED_ELSEWHERE, PROXY_BRANCH, makeCancel, makeDialogRequest, makeResponse } from './responses';
import { headerValue, nodeHost, nodeOfHost, parseSip, requestMethod, requestProblem, type SipRequest, type SipResponse } from './sip-parse';
import type { ContactPolicy, LookupResult, SipLocation, SipNetwork } from './types';

export interface OverlaySocketOptions {
  network: SipNetwork;
  location: SipLocation;
  /** The overlay name, which is also the SIP domain. */
  domain: string;
  /** This tab's user name (the AOR's user part). */
  user: string;
  policy: ContactPolicy;
  log?: (line: string) => void;
  /**
   * Told after this tab's REGISTER with a lifetime was answered 200. JsSIP
   * reports a success only when it was not registered already, so a REGISTER
   * sent while registered would otherwise settle nothing.
   */
  onRegistered?: () => void;
  /** Time between liveness probes of the far tab of an unanswered INVITE (tests shorten it). @default BRANCH_PROBE_MS */
  branchProbeMs?: number;
  /** The timers of those probes and of the caller re-check (tests pass a ManualClock). @default systemClock */
  clock?: Clock;
}

/** Requests that start something and so need the caller's identity and permission. */
const GATED = new Set(['INVITE', 'MESSAGE', 'OPTIONS', 'SUBSCRIBE', 'REFER', 'INFO', 'NOTIFY', 'UPDATE']);
/** JsSIP takes these as new requests even with a To tag, so a tag must not let them skip the caller check. */
const NEVER_IN_DIALOG = new Set(['MESSAGE', 'OPTIONS']);
/**
 * Requests that open a dialog. Relays read SIP text, so only the nodes such a
 * request went to or came from may send requests with its Call-ID (a relay
 * could otherwise CANCEL, BYE or re-INVITE a call it carried).
 */
const DIALOG_OPENERS = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
/** Call-IDs remembered at once; the least recently used goes first. */
const MAX_DIALOGS = 512;
/** Incoming INVITEs awaiting this UA's final answer, watched at once; the oldest goes first. */
const MAX_RINGING = 64;
/** How long a lookup started by `prefetch` serves the request it was started for. */
export const PREFETCH_MS = 10_000;
/** Wait before reading a caller's registration a second time, after the first read did not list the caller's node. */
export const CALLER_RECHECK_MS = 1500;

export class OverlaySocket {
  /** JsSIP writes this into Via headers. */
  via_transport = 'WS';
  readonly url: string;
  readonly sip_uri: string;
  // Assigned by JsSIP's Transport; must not be bound here.
  onconnect: () => void = () => undefined;
  ondisconnect: (error: boolean, code?: number, reason?: string) => void = () => undefined;
  ondata: (data: string) => void = () => undefined;

  private connected = false;
  private unsubscribe: (() => void) | null = null;
  private readonly forks = new ForkTable();
  /** Call-ID → the nodes that are parties to it (see DIALOG_OPENERS). */
  private readonly parties = new Map<string, Set<string>>();
  /** `Call-ID branch` → text of an incoming INVITE this UA has not answered finally yet. */
  private readonly ringing = new Map<string, string>();
  private readonly log: (line: string) => void;
  /** Lookups started ahead of the request that needs them (see `prefetch`), by user name. */
  private readonly ahead = new Map<string, { at: number; found: Promise<LookupResult> }>();

  constructor(private readonly o: OverlaySocketOptions) {
    this.url = `overlay://${o.domain}/${o.network.nodeId}`;
    this.sip_uri = `sip:${nodeHost(o.network.nodeId)};transport=ws`;
    this.log = o.log ?? (() => undefined);
  }

  connect(): void {
    if (this.connected) return;
    this.connected = true;
    this.unsubscribe = this.o.network.onReceive((from, text) => {
      this.receive(from, text).catch((e: unknown) => this.log(`a message from ${from.slice(0, 8)} failed: ${(e as Error).message}`));
    });
    queueMicrotask(() => this.onconnect());
  }

  disconnect(): void {
    if (!this.connected) return;
    this.connected = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ondisconnect(false);
  }

  isConnected(): boolean {
    return this.connected;
  }

  isConnecting(): boolean {
    return false;
  }

  send(data: unknown): boolean {
    if (!this.connected || typeof data !== 'string') return false;
    if (data.trim() === '') return true; // keep-alive CRLFs have no meaning on the overlay
    const m = parseSip(data);
    if ('error' in m) {
      this.log(`dropped an outgoing message: ${m.error}`);
      return false;
    }
    void (m.kind === 'request' ? this.route(m) : this.respond(m)).catch((e: unknown) => this.log(`routing failed: ${(e as Error).message}`));
    return true;
  }

  /**
   * Starts the location lookup of `user` now, while the UA is still opening
   * the camera and gathering ICE candidates for its INVITE, so the lookup
   * (and, with the registration, the callee node's agreement key) is off the
   * path from dial to ringing. The next request to `user` within PREFETCH_MS
   * uses what it found; a lookup that found nobody or timed out is made again.
   * A registration that changes in those seconds is missed as it would be by
   * a lookup made a moment earlier: the branch to a gone node fails with 480.
   */
  prefetch(user: string): void {
    const found = this.o.location.lookup(user);
    found.catch(() => undefined);
    this.ahead.set(user, { at: this.clock().now(), found });
    // Names dialled and never called: keep only the latest few.
    while (this.ahead.size > 8) this.ahead.delete(this.ahead.keys().next().value!);
  }

  private clock(): Clock {
    return this.o.clock ?? systemClock;
  }

  /** The lookup of `user`: the one `prefetch` started, once, when it is fresh and found someone; else a new one. */
  private async lookup(user: string): Promise<LookupResult> {
    const kept = this.ahead.get(user);
    this.ahead.delete(user);
    if (kept && this.clock().now() - kept.at < PREFETCH_MS) {
      const r = await kept.found.catch(() => null);
      if (r?.kind === 'found' && r.nodes.length > 0) return r;
    }
    return this.o.location.lookup(user);
  }

  private deliver(text: string): void {
    queueMicrotask(() => this.hand(text));
  }

  /** Hands SIP text to the UA; whatever JsSIP throws on it stays here. */
  private hand(text: string): void {
    if (!this.connected) return;
    try {
      this.ondata(text);
    } catch (e) {
      this.log(`the UA failed on a message: ${(e as Error).message}`);
    }
  }

  private async route(req: SipRequest): Promise<void> {
    if (req.method === 'REGISTER') return this.register(req);
    if (req.method === 'CANCEL') {
      for (const node of this.forks.cancelAll(req.callId, req.branch)) void this.o.network.send(node, req.text);
      return;
    }
    let nodes: string[];
    const direct = nodeOfHost(req.uriHost);
    if (direct) {
      nodes = [direct];
    } else if (req.uriHost === this.o.domain && req.uriUser) {
      const found = await this.lookup(req.uriUser);
      if (found.kind === 'unknown') return this.localReply(req, 404, `${req.uriUser} is not a known name`);
      if (found.kind === 'timeout') return this.localReply(req, 408);
      nodes = found.nodes;
      if (nodes.length === 0) return this.localReply(req, 480, `${req.uriUser} is not online`);
    } else {
      return this.localReply(req, 404, 'not a name in this overlay');
    }
    if (DIALOG_OPENERS.has(req.method) && req.toTag === null) this.addParties(req.callId, nodes);
    if (req.method === 'INVITE') this.forks.open(req.callId, req.branch, req.text, nodes);
    if (req.method === 'INVITE' && req.toTag === null) this.watchOutgoing(req, nodes);
    const results = await Promise.all(nodes.map(async (n) => [n, await this.o.network.send(n, req.text)] as const));
    if (req.method === 'ACK') return;
    const failed = results.filter(([, r]) => r !== 'sent');
    // 'unreachable': a relay knew the node has left (480, not online). 'timeout': nobody acknowledged,
    // which is the overlay's trouble as much as the callee's (408, the network did not answer).
    if (req.method === 'INVITE') {
      for (const [node, r] of failed) {
        const status = r === 'timeout' ? 408 : 480;
        const final = this.forks.unreachable(req.callId, req.branch, node, status, makeResponse(req.text, status));
        if (final) this.deliver(final);
      }
    } else if (failed.length === results.length) {
      if (failed.every(([, r]) => r === 'timeout')) this.localReply(req, 408);
      else this.localReply(req, 480, `${req.uriUser ?? 'the callee'} is not online`);
    }
  }

  private async register(req: SipRequest): Promise<void> {
    const contact = headerValue(req.text, 'Contact|m') ?? '';
    const expiresHeader = Number(headerValue(req.text, 'Expires'));
    const expiresParam = /;\s*expires=(\d+)/i.exec(contact)?.[1];
    const expires = Math.min(3600, Number.isFinite(expiresHeader) && headerValue(req.text, 'Expires') !== null ? expiresHeader : Number(expiresParam ?? 600));
    const user = req.toUser ?? '';
    if (user !== this.o.user) return this.localReply(req, 403, 'this tab registers only its own name');
    try {
      await this.o.location.register(user, expires);
    } catch (e) {
      if (e instanceof NameTakenError || e instanceof ClockSkewError) return this.localReply(req, 403, e.message);
      if (e instanceof OverlayTimeoutError) return this.localReply(req, 408);
      this.log(`registration failed: ${(e as Error).message}`);
      return this.localReply(req, 500);
    }
    const bare = contact.replace(/;\s*expires=\d+/i, '');
    this.deliver(makeResponse(req.text, 200, [`Contact: ${bare};expires=${expires}`, `Expires: ${expires}`]));
    if (expires > 0) this.o.onRegistered?.();
  }

  private localReply(req: SipRequest, status: number, reason?: string): void {
    if (req.method === 'ACK') return;
    this.deliver(makeResponse(req.text, status, [], reason));
  }

  /**
   * Ends each branch of a new outgoing INVITE whose tab stops answering
   * before it answers finally (branch-watch.ts): the UA gets 480 when no
   * branch is left, and the lost branch a CANCEL in case it comes back
   * (RFC 3261 §16.8, what a proxy does when Timer C fires).
   */
  private watchOutgoing(req: SipRequest, nodes: string[]): void {
    watchBranches(nodes, {
      ...(this.o.branchProbeMs ? { everyMs: this.o.branchProbeMs } : {}),
      ...(this.o.clock ? { clock: this.o.clock } : {}),
      probe: (n) => this.o.network.probe(n),
      waiting: (n) => this.connected && this.forks.get(req.callId, req.branch)?.branches.get(n) === 'pending',
      lost: (n, why) => {
        const fork = this.forks.get(req.callId, req.branch);
        if (!fork) return;
        this.log(`the tab ${n.slice(0, 8)} stopped answering a call (${why})`);
        void this.o.network.send(n, makeCancel(fork.invite));
        const final = this.forks.unreachable(req.callId, req.branch, n, 480, makeResponse(req.text, 480, [], `${req.uriUser ?? 'the callee'} stopped answering`));
        if (final) this.deliver(final);
      },
    });
  }

  /** Stops this UA ringing for a caller whose tab stops answering: the UA gets the CANCEL the caller can no longer send. */
  private watchIncoming(from: string, req: SipRequest): void {
    const key = `${req.callId} ${req.branch}`;
    this.ringing.set(key, req.text);
    while (this.ringing.size > MAX_RINGING) this.ringing.delete(this.ringing.keys().next().value!);
    watchBranches([from], {
      ...(this.o.branchProbeMs ? { everyMs: this.o.branchProbeMs } : {}),
      ...(this.o.clock ? { clock: this.o.clock } : {}),
      probe: (n) => this.o.network.probe(n),
      waiting: () => this.connected && this.ringing.has(key),
      lost: (n, why) => {
        this.ringing.delete(key);
        this.log(`the caller's tab ${n.slice(0, 8)} stopped answering (${why})`);
        this.hand(makeCancel(req.text));
      },
    });
  }

  private async respond(res: SipResponse): Promise<void> {
    if (res.method === 'INVITE' && res.status >= 200) this.ringing.delete(`${res.callId} ${res.branch}`);
    const node = nodeOfHost(res.viaHost);
    if (!node) {
      this.log(`dropped a response whose Via is not a node (${res.viaHost})`);
      return;
    }
    await this.o.network.send(node, res.text);
  }

  private async receive(from: string, text: string): Promise<void> {
    const m = parseSip(text);
    if ('error' in m) {
      this.log(`dropped a message from ${from.slice(0, 8)}: ${m.error}`);
      // A request gets the error it earned when its answer can be read and matched (replyTo checks); responses get nothing.
      const method = requestMethod(text);
      if (method && m.status) this.replyTo(from, { method, text }, m.status, m.error);
      return;
    }
    if (m.kind === 'response') return this.receiveResponse(from, m);
    const problem = requestProblem(m);
    if (problem) return this.replyTo(from, m, problem.status, problem.reason, problem.headers);
    const forMe =
      nodeOfHost(m.uriHost) === this.o.network.nodeId || (m.uriHost === this.o.domain && m.uriUser === this.o.user);
    if (!forMe) return this.replyTo(from, m, 404, 'not here');
    const parties = this.parties.get(m.callId);
    if (parties && !parties.has(from)) {
      this.log(`refused ${m.method} in a call ${from.slice(0, 8)} is not part of`);
      return this.replyTo(from, m, 403, 'not a party to this call');
    }
    if (GATED.has(m.method) && (m.toTag === null || NEVER_IN_DIALOG.has(m.method))) {
      const name = m.fromHost === this.o.domain ? m.fromUser : null;
      if (!name) return this.replyTo(from, m, 403, 'the caller did not say who they are');
      const registered = await this.callerRegistered(name, from);
      if (registered === 'unknown') {
        this.log(`could not read ${name}'s registration to check ${m.method} from ${from.slice(0, 8)}`);
        return this.replyTo(from, m, 408, 'could not check who is calling');
      }
      if (registered === 'no') {
        this.log(`refused ${m.method} claiming to be ${name} from an unregistered node ${from.slice(0, 8)}`);
        return this.replyTo(from, m, 403, `the caller is not ${name}`);
      }
      const d = await this.o.policy({ name, nodeId: from });
      if (!d.allow) return this.replyTo(from, m, 403, 'not accepted');
      if (DIALOG_OPENERS.has(m.method)) this.addParties(m.callId, [from]);
      if (m.method === 'INVITE') this.watchIncoming(from, m);
    }
    // m.text, not text: the UA gets the body cut at Content-Length bytes, as checked here.
    this.hand(m.text);
  }

  /**
   * Whether node `from` is registered for `name`. A registration written a
   * moment ago may not yet be on every replica this read reaches, and a read
   * can time out while links churn, so a miss is read once more after
   * CALLER_RECHECK_MS before the caller is refused. Two reads that timed out
   * give 'unknown': the caller is told to try again (408), not refused (403).
   */
  private async callerRegistered(name: string, from: string): Promise<'yes' | 'no' | 'unknown'> {
    const clock = this.o.clock ?? systemClock;
    for (let attempt = 1; ; attempt++) {
      const reg = await this.o.location.lookup(name);
      if (reg.kind === 'found' && reg.nodes.includes(from)) return 'yes';
      const read = reg.kind === 'found' ? `${reg.nodes.length} other node(s)` : reg.kind;
      this.log(`read ${attempt} of ${name}'s registration did not list ${from.slice(0, 8)}: ${read}`);
      if (attempt === 2) return reg.kind === 'timeout' ? 'unknown' : 'no';
      await new Promise<void>((r) => clock.setTimeout(r, CALLER_RECHECK_MS));
    }
  }

  private addParties(callId: string, nodes: string[]): void {
    const set = this.parties.get(callId) ?? new Set<string>();
    this.parties.delete(callId);
    for (const n of nodes) set.add(n);
    this.parties.set(callId, set);
    while (this.parties.size > MAX_DIALOGS) this.parties.delete(this.parties.keys().next().value!);
  }

  private async receiveResponse(from: string, res: SipResponse): Promise<void> {
    // Answers to the proxy's own BYEs: the UA sent no such request, and nothing waits for them.
    if (res.branch.startsWith(PROXY_BRANCH)) return;
    if (res.method !== 'INVITE') {
      this.deliver(res.text);
      return;
    }
    if (!this.forks.get(res.callId, res.branch)) {
      // An answer to an INVITE this tab no longer tracks: a retransmitted 2xx still needs its ACK.
      if (res.status >= 200 && res.status < 300) this.deliver(res.text);
      return;
    }
    if (!this.forks.knows(res.callId, res.branch, from)) {
      this.log(`dropped a response from ${from.slice(0, 8)}, which the INVITE did not go to`);
      return;
    }
    // A 2xx without a To tag names no dialog (RFC 3261 §8.2.6.2): nothing could acknowledge or end it.
    if (res.status >= 200 && res.status < 300 && res.toTag === null) return this.log(`dropped a 2xx from ${from.slice(0, 8)} without a To tag`);
    const v = this.forks.onResponse(res.callId, res.branch, from, res.status, res.toTag, res.text);
    if (v.pass) this.deliver(res.text);
    if (v.final) this.deliver(v.final);
    if (v.late) return this.endLateAnswer(from, res, v.invite, v.late);
    for (const node of v.cancel) void this.o.network.send(node, makeCancel(v.invite, COMPLETED_ELSEWHERE));
  }

  /**
   * A 2xx from a branch that lost (another tab answered first, or the caller
   * had cancelled): acknowledged at once, every time it comes, and hung up
   * the first time (RFC 3261 §13.2.2.4), so that tab does not sit in a
   * silent call resending its answer.
   */
  private async endLateAnswer(node: string, res: SipResponse, invite: string, late: { hangUp: boolean; cancelledByCaller: boolean }): Promise<void> {
    const target = remoteTarget(res, node);
    const via = nodeHost(this.o.network.nodeId);
    this.log(`${late.hangUp ? 'hanging up' : 'acknowledging again'} a late answer from ${node.slice(0, 8)}`);
    const acked = await this.o.network.send(node, makeDialogRequest('ACK', invite, res.text, target, via));
    if (!late.hangUp) return;
    if (acked !== 'sent') this.log(`the ACK to ${node.slice(0, 8)} was not delivered (${acked}); sending the BYE anyway`);
    // Sent once the ACK is acknowledged, so the BYE does not overtake it.
    const bye = makeDialogRequest('BYE', invite, res.text, target, via, late.cancelledByCaller ? undefined : COMPLETED_ELSEWHERE);
    const r = await this.o.network.send(node, bye);
    if (r !== 'sent') this.log(`the BYE to ${node.slice(0, 8)} was not delivered (${r})`);
  }

  private replyTo(node: string, req: { method: string; text: string }, status: number, reason?: string, extra: string[] = []): void {
    if (req.method === 'ACK') return;
    const answer = makeResponse(req.text, status, extra, reason);
    // Echoing a broken From, To, Via or CSeq makes an answer nobody can match to a request (RFC 3261 §8.1.3.3): none is sent.
    if ('error' in parseSip(answer)) return this.log(`no ${status} for a request whose headers cannot be echoed`);
    this.o.network.send(node, answer).catch((e: unknown) => this.log(`could not answer ${node.slice(0, 8)}: ${(e as Error).message}`));
  }
}

/**
 * The remote target of a 2xx (RFC 3261 §12.1.2): its Contact URI when that
 * names the node that sent it; otherwise (no Contact, an unreadable one, or
 * one naming another host) the sending node's own address, since that node
 * is the one the overlay proved sent the answer.
 */
function remoteTarget(answer: SipResponse, node: string): string {
  const contact = headerValue(answer.text, 'Contact|m') ?? '';
  const uri = /<([^<>]*)>/.exec(contact)?.[1] ?? contact.split(';')[0]!.trim();
  const host = /^sips?:(?:[^@\s]*@)?([^;:?\s]+)/i.exec(uri)?.[1]?.toLowerCase();
  if (host === nodeHost(node) && /^sips?:[^\s<>"]+$/i.test(uri)) return uri;
  const user = answer.toUser !== null && /^[\w.!~*'()&=+$,-]+$/.test(answer.toUser) ? `${answer.toUser}@` : '';
  return `sip:${user}${nodeHost(node)};transport=ws`;
}
