/** A small world for mail tests: a simulated overlay with real ECDSA, people with user keys, a fake name directory, the inline coder. */
import { exportSpki, generateEcdhKeyPair, generateSigningKeyPair } from '../../identity';
import { webCryptoSigner, webCryptoVerifier, type OverlayOptions } from '../../overlay';
import { Simulation } from '../../overlay/sim';
import { InlineCoder, RsStripeCoder } from '../coder';
import { overlayIo, type MailOverlay } from '../overlay-io';
import type { MailUser, ResolvedUser, ResolveUser } from '../types';

export function nodeCoder(): InlineCoder {
  return new InlineCoder(new RsStripeCoder());
}

export type Person = MailUser & { ecdhPublicKey: CryptoKey };

export async function makePerson(name: string): Promise<Person> {
  const sign = await generateSigningKeyPair();
  const ecdh = await generateEcdhKeyPair();
  const signer = await webCryptoSigner(sign);
  return {
    name,
    signSpki: signer.spki,
    signingPrivateKey: sign.privateKey,
    ecdhSpki: await exportSpki(ecdh.publicKey),
    ecdhPrivateKey: ecdh.privateKey,
    ecdhPublicKey: ecdh.publicKey,
    signer,
  };
}

/** A name directory that knows the given people. */
export function fakeResolver(people: readonly Person[]): ResolveUser {
  const byName = new Map<string, ResolvedUser>(people.map((p) => [p.name, { name: p.name, signSpki: p.signSpki, ecdhPublicKey: p.ecdhPublicKey }]));
  return (name) => Promise.resolve(byName.get(name) ?? null);
}

export class MailWorld {
  readonly sim: Simulation;

  constructor(nodes: number, seed: number, overlay: OverlayOptions = {}) {
    this.sim = new Simulation({ seed, verifier: webCryptoVerifier, network: { linkEvents: false }, overlay });
    this.sim.buildByOracle(nodes);
  }

  async settle(): Promise<void> {
    await this.sim.run(10_000);
  }

  /** The overlay as seen from a random live node. */
  io(): MailOverlay {
    return overlayIo(this.sim.randomLive());
  }

  /**
   * Runs `p` to completion: virtual time moves in small steps, and between
   * steps the real event loop turns, so untracked WebCrypto work (encryption,
   * signing) finishes; `sim.until` alone would spin through virtual time first.
   * `stepMs`: virtual time per turn. A smaller step keeps a loaded machine's
   * slow WebCrypto from letting much virtual time (and maintenance) pass meanwhile.
   */
  async run<T>(p: Promise<T>, maxVirtualMs = 3_600_000, stepMs = 1000): Promise<T> {
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    const limit = this.sim.clock.now() + maxVirtualMs;
    while (!done) {
      if (this.sim.clock.now() > limit) throw new Error('mail test: the awaited work did not settle in time');
      await this.sim.run(stepMs);
      await new Promise((r) => setImmediate(r));
    }
    return p;
  }

  /** Every live node holding a record under `keyHex`. */
  holders(keyHex: string): string[] {
    return [...this.sim.nodes.entries()].filter(([id, n]) => this.sim.liveIds().includes(id) && n.localRecord(keyHex) !== undefined).map(([id]) => id);
  }
}
