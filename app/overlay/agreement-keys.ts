/**
 * The keys end-to-end encryption of routed messages needs at one node: its
 * own agreement key with the node key's signature over it, the agreement
 * keys of other nodes it has learnt (each checked against the node key whose
 * hash is that node's ID), the ephemeral key of each conversation it
 * started, and the AES keys of conversations others started with it. Pure
 * bookkeeping over identity's WebCrypto helpers; it sends nothing.
 */
import {
  compareBytes,
  exportAgreementPublic,
  generateAgreementKeyPair,
  importAgreementPublic,
  toHex,
} from '../identity';
import { type Clock } from '../common';
import { CONVERSATION_KEY_MS } from './constants';
import { ID_BYTES } from './id';
import { bindingPayload, conversationKey, type AgreementBinding } from './message-sealing';
import type { RecordSigner, RecordVerifier } from './storage/record';

/** One conversation this node started: the ephemeral key it sends with to one target, and their shared AES key. */
export interface Conversation {
  readonly eph: Uint8Array;
  readonly key: CryptoKey;
  readonly started: number;
  /** The target has acknowledged a message of it, so it knows this node's agreement key. */
  confirmed: boolean;
}

/** How many peers' keys and conversations one node remembers. */
const REMEMBERED = 1024;

function remember<K, V>(map: Map<K, V>, k: K, v: V): void {
  map.delete(k);
  map.set(k, v);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value!);
}

export class AgreementKeys {
  private own: Promise<{ pair: CryptoKeyPair; binding: AgreementBinding }> | null = null;
  /** Agreement keys of other nodes, checked: raw bytes and the imported key. */
  private readonly peers = new Map<string, { raw: Uint8Array; key: CryptoKey }>();
  private readonly outgoing = new Map<string, Promise<Conversation>>();
  private readonly incoming = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly selfId: Uint8Array,
    private readonly signer: RecordSigner,
    private readonly verifier: RecordVerifier,
    private readonly clock: Clock,
    /** This node's persisted agreement key pair; none: one is made for this run. */
    private readonly pair?: CryptoKeyPair,
  ) {}

  /** This node's agreement key and the node key's signature binding it to this node's ID. */
  ownBinding(): Promise<AgreementBinding> {
    return this.ownKey().then((o) => o.binding);
  }

  private ownKey(): Promise<{ pair: CryptoKeyPair; binding: AgreementBinding }> {
    this.own ??= (async () => {
      const pair = this.pair ?? (await generateAgreementKeyPair());
      const key = await exportAgreementPublic(pair.publicKey);
      return { pair, binding: { key, sig: await this.signer.sign(bindingPayload(this.selfId, key)) } };
    })();
    return this.own;
  }

  /** Node `nodeId`'s agreement key, when learnt. */
  peerKey(nodeId: string): Uint8Array | null {
    return this.peers.get(nodeId)?.raw ?? null;
  }

  /**
   * Checks that `binding` binds an agreement key to node `nodeId` (20 bytes)
   * under node key `spki` (whose hash must be the ID) and remembers it.
   * False when anything is off; never throws. With `replace: false` (a key
   * read from a record, which may be older than the one the node itself
   * gave), a key already known for the node is kept and the answer is true.
   * A key already known needs no second check.
   */
  async learn(nodeId: Uint8Array, spki: Uint8Array, binding: AgreementBinding, opts: { replace?: boolean } = {}): Promise<boolean> {
    const known = this.peers.get(toHex(nodeId));
    if (known && (opts.replace === false || compareBytes(known.raw, binding.key) === 0)) return true;
    try {
      const idOfKey = (await this.verifier.digest(spki)).subarray(0, ID_BYTES);
      if (compareBytes(idOfKey, nodeId) !== 0) return false;
      if (!(await this.verifier.verify(spki, bindingPayload(nodeId, binding.key), binding.sig))) return false;
      const key = await importAgreementPublic(binding.key);
      const hex = toHex(nodeId);
      const old = this.peers.get(hex);
      // A node whose key changed (a new tab in its slot) starts new conversations.
      if (old && compareBytes(old.raw, binding.key) !== 0) this.outgoing.delete(hex);
      remember(this.peers, hex, { raw: binding.key, key });
      return true;
    } catch {
      return false;
    }
  }

  /** Forgets node `nodeId`'s agreement key and the conversation to it (it could not open what was sealed with them). */
  forget(nodeId: string): void {
    this.peers.delete(nodeId);
    this.outgoing.delete(nodeId);
  }

  /**
   * The conversation to `nodeId`, a new one when there was none or it is
   * older than CONVERSATION_KEY_MS (so a key that leaks later opens only its
   * own conversation: forward secrecy per conversation). Throws when the
   * target's agreement key is not known.
   */
  conversationTo(nodeId: string, to: Uint8Array): Promise<Conversation> {
    const now = this.clock.now();
    const peer = this.peers.get(nodeId);
    if (!peer) throw new Error(`no agreement key known for node ${nodeId}`);
    const current = this.outgoing.get(nodeId);
    if (current) {
      const fresh = current.then((c) => now - c.started < CONVERSATION_KEY_MS);
      return fresh.then((ok) => (ok ? current : this.startConversation(nodeId, to, peer)));
    }
    return this.startConversation(nodeId, to, peer);
  }

  private startConversation(nodeId: string, to: Uint8Array, peer: { raw: Uint8Array; key: CryptoKey }): Promise<Conversation> {
    const started = this.clock.now();
    const p = (async (): Promise<Conversation> => {
      const pair = await generateAgreementKeyPair();
      const eph = await exportAgreementPublic(pair.publicKey);
      const key = await conversationKey(pair.privateKey, peer.key, this.selfId, to, eph, peer.raw);
      return { eph, key, started, confirmed: false };
    })();
    remember(this.outgoing, nodeId, p);
    p.catch(() => this.outgoing.delete(nodeId));
    return p;
  }

  /** The AES key of a conversation node `from` started with this node under its key `eph`; throws when `eph` is not a P-256 point. */
  conversationFrom(from: Uint8Array, eph: Uint8Array): Promise<CryptoKey> {
    const id = `${toHex(from)}/${toHex(eph)}`;
    let p = this.incoming.get(id);
    if (!p) {
      p = (async () => {
        const { pair, binding } = await this.ownKey();
        return conversationKey(pair.privateKey, await importAgreementPublic(eph), from, this.selfId, eph, binding.key);
      })();
      remember(this.incoming, id, p);
      p.catch(() => this.incoming.delete(id));
    }
    return p;
  }
}
