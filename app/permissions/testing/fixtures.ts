/** Helpers for permissions tests (and the UI's): peers with real keys, a gate on a memory store and a virtual clock. */
import {
  exportSpki,
  generateSigningKeyPair,
  issueCertificate,
  MemoryKeyValueStore,
  nodeIdFromSpki,
  serializeCertificate,
  toBase64Url,
} from '../../identity';
import { silentLogger } from '../../common';
import { ManualClock, settle as settleRounds } from '../../common/testing';
import type { DecisionRequest } from '../evaluate';
import { PermissionGate, type PermissionGateOptions } from '../gate';
import type { PermissionQuestion } from '../question-queue';

export interface KeyPair {
  readonly privateKey: CryptoKey;
  readonly spki: Uint8Array;
  /** 40 hex digits, like a node ID. */
  readonly id: string;
}

export async function keyPair(): Promise<KeyPair> {
  const pair = await generateSigningKeyPair();
  const spki = await exportSpki(pair.publicKey);
  return { privateKey: pair.privateKey, spki, id: await nodeIdFromSpki(spki) };
}

/** A far peer: a node key and, when named, a user key. */
export interface TestPeer {
  readonly node: KeyPair;
  readonly user: KeyPair;
  readonly name?: string;
}

export async function testPeer(name?: string): Promise<TestPeer> {
  return { node: await keyPair(), user: await keyPair(), ...(name !== undefined ? { name } : {}) };
}

/** A request from `peer`, presenting its user identity unless `anonymous`. */
export function requestFrom(
  peer: TestPeer,
  o: Partial<Pick<DecisionRequest, 'scope' | 'direction' | 'overlay' | 'certificate'>> & { anonymous?: boolean } = {},
): DecisionRequest {
  return {
    peerNodeId: peer.node.id,
    peerNodeSpki: peer.node.spki,
    ...(o.anonymous ? {} : { user: { userId: peer.user.id, signingSpki: peer.user.spki, ...(peer.name !== undefined ? { name: peer.name } : {}) } }),
    ...(o.certificate !== undefined ? { certificate: o.certificate } : {}),
    scope: o.scope ?? 'contact',
    direction: o.direction ?? 'inbound',
    overlay: o.overlay ?? 'p2p.local',
  };
}

/** A certificate from `root` for the peer's user key, as the JSON text a peer sends. */
export async function certificateFor(root: KeyPair, peer: TestPeer, now: number, o: { name?: string; days?: number } = {}): Promise<string> {
  const cert = await issueCertificate({
    rootPrivateKey: root.privateKey,
    rootSpki: root.spki,
    subjectSpki: peer.user.spki,
    name: o.name ?? peer.name ?? 'peer',
    issued: now - 1000,
    expires: now + (o.days ?? 30) * 86_400_000,
  });
  return serializeCertificate(cert);
}

export function publicKeyText(k: KeyPair): string {
  return toBase64Url(k.spki);
}

export interface TestGate {
  gate: PermissionGate;
  clock: ManualClock;
  store: MemoryKeyValueStore;
  /** Opens another gate on the same store: what a reload sees. */
  reopen(): Promise<PermissionGate>;
}

export async function openTestGate(o: Partial<PermissionGateOptions> = {}): Promise<TestGate> {
  const store = (o.store as MemoryKeyValueStore | undefined) ?? new MemoryKeyValueStore();
  const clock = (o.clock as ManualClock | undefined) ?? new ManualClock();
  const options = { logger: silentLogger, ...o, store, clock };
  return { gate: await PermissionGate.open(options), clock, store, reopen: () => PermissionGate.open(options) };
}

/** Lets promise callbacks and WebCrypto work finish (WebCrypto resolves on the event loop, not as a microtask): common's settle, five rounds. */
export function settle(rounds = 5): Promise<void> {
  return settleRounds(rounds);
}

/** Resolves with the question list once `ready` holds for it (awaits the queue's events, no polling). */
export function questionsWhen(
  gate: PermissionGate,
  ready: (questions: readonly PermissionQuestion[]) => boolean = (q) => q.length > 0,
): Promise<readonly PermissionQuestion[]> {
  return new Promise((resolve) => {
    let unsubscribe = (): void => {};
    const check = (): void => {
      const q = gate.questions.getSnapshot();
      if (!ready(q)) return;
      unsubscribe();
      resolve(q);
    };
    unsubscribe = gate.questions.subscribe(check);
    check();
  });
}
