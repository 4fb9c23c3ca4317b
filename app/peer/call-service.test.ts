/**
 * The phone service keeps a name reachable (issue 13, kind 5): a remembered
 * name whose first registration the network does not answer keeps its phone,
 * which registers by itself later; a name found taken at a later
 * registration ends the phone and says so. A real ring member on in-memory
 * authenticated links, real JsSIP, the real DHT registrar; the network's
 * failures are injected into the name directory (the first thing a REGISTER
 * writes).
 */
import JsSIP from 'jssip';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKeyValueStore, MemoryLockManager, exportSpki, generateSigningKeyPair, loadUserIdentity, nodeIdFromSpki, signBytes } from '../identity';
import { liveRingComponents } from '../peer';
import { PermissionGate } from '../permissions';
import { NameTakenError, OverlayTimeoutError } from '../sip';
import { LinkManager } from '../transport';
import { MemoryNetwork } from '../transport/testing';
import { callPolicy } from './call-policy';
import { OverlayService } from './overlay-service';
import { PeerMail } from './peer-mail';
import { CallService } from './call-service';

JsSIP.debug.disable();
const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((f) => f()));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

async function setUp(rememberedName?: string) {
  const keys = await generateSigningKeyPair();
  const spki = await exportSpki(keys.publicKey);
  const nodeId = await nodeIdFromSpki(spki);
  const net = new MemoryNetwork();
  const links = new LinkManager({ dialer: net.dialer(nodeId), local: { overlay: 'p2p.local', nodeId, spki, privateKey: keys.privateKey }, policy: async () => ({ allow: true, reason: 'test' }), clock: { now: () => Date.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) } });
  const overlay = new OverlayService({ ...liveRingComponents(links), records: new MemoryKeyValueStore(), settings: new MemoryKeyValueStore(), onlinePeers: () => [], nodeSigner: { spki, sign: (p) => signBytes(keys.privateKey, p) } });
  await overlay.start();
  const { identity: user } = await loadUserIdentity(new MemoryKeyValueStore(), new MemoryLockManager());
  const gate = await PermissionGate.open({ store: new MemoryKeyValueStore() });
  const settings = new MemoryKeyValueStore();
  if (rememberedName) await settings.set('my-name', rememberedName);
  const policy = callPolicy({ gate, domain: 'p2p.local', spkiOf: (id) => overlay.node.routed.spkiOf(id), resolve: (name) => service.resolve(name) });
  const service: CallService = new CallService({ overlay, user, policy, settings, history: new MemoryKeyValueStore(), domain: 'p2p.local' });
  const mail = new PeerMail({ node: overlay.node, user, phone: service, store: new MemoryKeyValueStore() });
  stops.push(() => {
    service.stop();
    mail.close();
    overlay.leave();
    gate.close();
  });
  return { service, overlay, mail };
}

/** Makes the name directory's next claims fail with `err`, `times` times. */
function failClaims(service: CallService, err: () => Error, times: number): void {
  const real = service.directory.claim.bind(service.directory);
  let left = times;
  service.directory.claim = (name: string) => (left-- > 0 ? Promise.reject(err()) : real(name));
}

describe('the phone service keeps a name reachable', () => {
  it('a remembered name whose first registration times out keeps its phone, which registers by itself', async () => {
    const { service } = await setUp('alice');
    failClaims(service, () => new OverlayTimeoutError('the network did not answer in time'), 2);
    await service.start();
    expect(service.getSnapshot()).toMatchObject({ status: 'ready', name: 'alice', error: null });
    const phone = service.ua!;
    expect(phone.getSnapshot()).toMatchObject({ registration: 'retrying', registrationError: 'the network did not answer in time' });
    expect(await until(() => phone.getSnapshot().registration === 'registered', 15_000)).toBe(true);
    expect(service.ua).toBe(phone);
  }, 30_000);

  it('a name found taken at a later registration ends the phone and asks for another name, in words', async () => {
    const { service, mail } = await setUp();
    expect(await service.claim('alice')).toBeNull();
    const phone = service.ua!;
    expect(phone.getSnapshot().registration).toBe('registered');
    expect(mail.current).not.toBeNull();
    failClaims(service, () => new NameTakenError('the name alice is taken by someone else'), 1);
    // JsSIP's refresh, without waiting 150–300 s for its timer.
    (phone as unknown as { ua: JsSIP.UA }).ua.register();
    expect(await until(() => service.getSnapshot().status === 'failed', 15_000)).toBe(true);
    expect(service.getSnapshot()).toMatchObject({ name: 'alice', error: 'the name alice is taken by someone else' });
    expect(service.ua).toBeNull();
    expect(mail.current).toBeNull();
  }, 30_000);

  it('gives calls the node’s ICE servers, then the person’s own, and takes a refreshed node list for the next call', async () => {
    const { service } = await setUp();
    const turn = { urls: 'turn:203.0.113.10:3478', username: '1735693200:a', credential: 'x' };
    service.setNodeIceServers([turn]);
    expect(service.setIceServers('stun:198.51.100.7:3478')).toEqual([]);
    expect(await service.claim('carol')).toBeNull();
    expect(service.ua!['o'].iceServers).toEqual([turn, { urls: 'stun:198.51.100.7:3478' }]);
    const refreshed = { ...turn, username: '1735696800:b' };
    service.setNodeIceServers([refreshed]);
    expect(service.ua!['o'].iceServers).toEqual([refreshed, { urls: 'stun:198.51.100.7:3478' }]);
  }, 30_000);
});
