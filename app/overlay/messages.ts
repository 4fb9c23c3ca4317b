/**
 * Wire messages: canonical maps (identity's canonical encoding) with a type
 * tag `t`. Everything a peer sends is untrusted, so `parseMessage` checks
 * every field with type guards and returns a reason instead of throwing.
 */
import { canonicalDecode, canonicalEncode, fitsUtf8, type CanonicalValue } from '../identity';
import { MAX_APP_BODY_BYTES, MAX_ITEMS, MAX_SEALED_BOX_BYTES, MAX_MESSAGE_BYTES, MAX_NODE_LIST, MAX_ROUTE } from './constants';
import { ID_BYTES } from './id';
import { isWireRecord, type WireRecord } from './storage/record';

export type Bytes = Uint8Array;

/** One entry of an anti-entropy digest: key, sub-key, version, signature prefix. */
export type DigestEntry = readonly [Bytes, string, number, Bytes];

export type Message =
  | { t: 'ping'; id: number }
  | { t: 'pong'; id: number }
  /** `wide`: a node whose successor list covers the key answers "done" with the nodes from the key's successor on (issue 20 defense). */
  | { t: 'find'; id: number; key: Bytes; wide?: boolean }
  | { t: 'found'; id: number; done: boolean; nodes: Bytes[] }
  | { t: 'route'; lid: number; key: Bytes; route: Bytes[] }
  | { t: 'routed'; lid: number; nodes: Bytes[]; route: Bytes[] }
  | { t: 'neighbors'; id: number }
  | { t: 'neighbors-reply'; id: number; pred: Bytes | null; succs: Bytes[] }
  | { t: 'notify' }
  | { t: 'leave'; pred: Bytes | null; succs: Bytes[] }
  | { t: 'store'; id: number; records: WireRecord[] }
  /** `pred`: the replica's predecessor, so a writer can tell whether it reached the key's true successor. */
  | { t: 'stored'; id: number; results: (string | null)[]; pred?: Bytes | null }
  /** `after`: only entries whose sub-key sorts after it (the next page of a long dictionary). */
  | { t: 'fetch'; id: number; key: Bytes; sub: string | null; after?: string }
  /** `more`: the replica holds further entries after the last one here. */
  | { t: 'fetched'; id: number; records: WireRecord[]; more?: boolean }
  | { t: 'sync'; id: number; lo: Bytes; hi: Bytes; digest: DigestEntry[] }
  | { t: 'sync-reply'; id: number; want: number[]; records: WireRecord[] }
  | { t: 'error'; id: number; reason: string }
  /** A plaintext routed message, as tabs before end-to-end encryption sent it: parsed only to be refused with a clear reason. */
  | { t: 'app'; aid: number; to: Bytes; from: Bytes; spki: Bytes; at: number; topic: string; body: Bytes; hops: number; sig: Bytes }
  /** A routed message encrypted for its target (message-sealing.ts): `eph` the sender's conversation key, `box` the padded sealed body. */
  | { t: 'app-sealed'; aid: number; to: Bytes; from: Bytes; spki: Bytes; at: number; eph: Bytes; box: Bytes; hops: number; sig: Bytes }
  /** `refusal`: why the target did not take the message (`not-encrypted`, `undecryptable`, ...); absent when it did. */
  | { t: 'app-ack'; aid: number; to: Bytes; from: Bytes; hops: number; via: number; refusal?: string }
  /** Asks node `to` for its agreement key. */
  | { t: 'agreement-ask'; aid: number; to: Bytes; from: Bytes; hops: number }
  /** Node `from`'s agreement key `key`, bound to its node key `spki` by `sig`. */
  | { t: 'agreement-key'; aid: number; to: Bytes; from: Bytes; hops: number; spki: Bytes; key: Bytes; sig: Bytes };

export type MessageType = Message['t'];
/** Types that answer a request: they carry the request's id. */
export const REPLY_TYPES: ReadonlySet<string> = new Set(['pong', 'found', 'neighbors-reply', 'stored', 'fetched', 'sync-reply', 'error']);

/** The reply type that answers each request type; `error` may answer any of them. */
export const REPLY_OF = { ping: 'pong', find: 'found', neighbors: 'neighbors-reply', store: 'stored', fetch: 'fetched', sync: 'sync-reply' } as const;
/** Message types that expect a reply. */
export type RequestType = keyof typeof REPLY_OF;
/** The reply message that answers a request of type `T`. */
export type ReplyTo<T extends RequestType> = Extract<Message, { t: (typeof REPLY_OF)[T] }>;

export function encodeMessage(msg: Message): Uint8Array {
  return canonicalEncode(msg as unknown as CanonicalValue);
}

type Obj = Record<string, unknown>;

/** The fields every routed message has: an id, both ends, and the hops so far. */
const isRoutedHeader = (m: Obj): boolean =>
  isRpcId(m['aid']) && isIdBytes(m['to']) && isIdBytes(m['from']) && isRpcId(m['hops']) && (m['hops'] as number) <= MAX_ROUTE;
const isShortBytes = (v: unknown, max: number): v is Bytes => v instanceof Uint8Array && v.length <= max;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isRpcId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isIdBytes = (v: unknown): v is Bytes => v instanceof Uint8Array && v.length === ID_BYTES;
const isIdList = (v: unknown, max: number): v is Bytes[] => Array.isArray(v) && v.length <= max && v.every(isIdBytes);
/** A string of at most `max` bytes of UTF-8, as it crossed the wire. */
const isShortString = (v: unknown, max: number): v is string => typeof v === 'string' && fitsUtf8(v, max);
const isRecordList = (v: unknown): v is WireRecord[] => Array.isArray(v) && v.length <= MAX_ITEMS && v.every(isWireRecord);

function isDigestEntry(v: unknown): v is DigestEntry {
  return (
    Array.isArray(v) &&
    v.length === 4 &&
    isIdBytes(v[0]) &&
    isShortString(v[1], 256) &&
    isRpcId(v[2]) &&
    v[3] instanceof Uint8Array &&
    v[3].length <= 16
  );
}

/** Field checks per type; each returns true when the object has exactly the shape of that message. */
const GUARDS: Record<MessageType, (m: Obj) => boolean> = {
  ping: (m) => isRpcId(m['id']),
  pong: (m) => isRpcId(m['id']),
  find: (m) => isRpcId(m['id']) && isIdBytes(m['key']) && (m['wide'] === undefined || typeof m['wide'] === 'boolean'),
  found: (m) => isRpcId(m['id']) && typeof m['done'] === 'boolean' && isIdList(m['nodes'], MAX_NODE_LIST),
  route: (m) => isRpcId(m['lid']) && isIdBytes(m['key']) && isIdList(m['route'], MAX_ROUTE) && (m['route'] as Bytes[]).length > 0,
  routed: (m) => isRpcId(m['lid']) && isIdList(m['nodes'], MAX_NODE_LIST) && isIdList(m['route'], MAX_ROUTE + 1),
  neighbors: (m) => isRpcId(m['id']),
  'neighbors-reply': (m) => isRpcId(m['id']) && (m['pred'] === null || isIdBytes(m['pred'])) && isIdList(m['succs'], MAX_NODE_LIST),
  notify: () => true,
  leave: (m) => (m['pred'] === null || isIdBytes(m['pred'])) && isIdList(m['succs'], MAX_NODE_LIST),
  store: (m) => isRpcId(m['id']) && isRecordList(m['records']),
  stored: (m) =>
    isRpcId(m['id']) &&
    Array.isArray(m['results']) &&
    m['results'].length <= MAX_ITEMS &&
    m['results'].every((r) => r === null || isShortString(r, 64)) &&
    (m['pred'] === undefined || m['pred'] === null || isIdBytes(m['pred'])),
  fetch: (m) =>
    isRpcId(m['id']) && isIdBytes(m['key']) && (m['sub'] === null || isShortString(m['sub'], 256)) && (m['after'] === undefined || isShortString(m['after'], 256)),
  fetched: (m) => isRpcId(m['id']) && isRecordList(m['records']) && (m['more'] === undefined || typeof m['more'] === 'boolean'),
  sync: (m) =>
    isRpcId(m['id']) &&
    isIdBytes(m['lo']) &&
    isIdBytes(m['hi']) &&
    Array.isArray(m['digest']) &&
    m['digest'].length <= MAX_ITEMS &&
    m['digest'].every(isDigestEntry),
  'sync-reply': (m) =>
    isRpcId(m['id']) && Array.isArray(m['want']) && m['want'].length <= MAX_ITEMS && m['want'].every(isRpcId) && isRecordList(m['records']),
  error: (m) => isRpcId(m['id']) && isShortString(m['reason'], 200),
  app: (m) =>
    isRpcId(m['aid']) &&
    isIdBytes(m['to']) &&
    isIdBytes(m['from']) &&
    m['spki'] instanceof Uint8Array &&
    m['spki'].length <= 512 &&
    isRpcId(m['at']) &&
    isShortString(m['topic'], 32) &&
    m['body'] instanceof Uint8Array &&
    m['body'].length <= MAX_APP_BODY_BYTES &&
    isRpcId(m['hops']) &&
    m['hops'] <= MAX_ROUTE &&
    m['sig'] instanceof Uint8Array &&
    m['sig'].length <= 512,
  'app-sealed': (m) =>
    isRoutedHeader(m) &&
    isShortBytes(m['spki'], 512) &&
    isRpcId(m['at']) &&
    isShortBytes(m['eph'], 128) &&
    isShortBytes(m['box'], MAX_SEALED_BOX_BYTES) &&
    isShortBytes(m['sig'], 512),
  'app-ack': (m) => isRoutedHeader(m) && isRpcId(m['via']) && m['via'] <= MAX_ROUTE && (m['refusal'] === undefined || isShortString(m['refusal'], 32)),
  'agreement-ask': (m) => isRoutedHeader(m),
  'agreement-key': (m) => isRoutedHeader(m) && isShortBytes(m['spki'], 512) && isShortBytes(m['key'], 128) && isShortBytes(m['sig'], 512),
};

/** Why a message was refused, and the request id to answer with an error (null: do not answer). */
export interface ParseFailure {
  readonly refused: string;
  readonly replyId: number | null;
  /** When the refused message was a reply: the id of the request it claimed to answer, so that request fails at once. */
  readonly inReplyTo: number | null;
}

function failure(refused: string, value: unknown): ParseFailure {
  // Answer requests with an error so the asker need not wait out its timeout; never answer a reply.
  const obj = isObj(value) ? value : undefined;
  const id = obj?.['id'];
  const t = obj?.['t'];
  const isReply = typeof t === 'string' && REPLY_TYPES.has(t);
  return { refused, replyId: isRpcId(id) && !isReply ? id : null, inReplyTo: isRpcId(id) && isReply ? id : null };
}

/** Checks an already-decoded value; returns the message or why not. */
export function checkMessage(value: unknown): Message | ParseFailure {
  if (!isObj(value)) return failure('not a map', value);
  const t = value['t'];
  if (typeof t !== 'string' || !Object.hasOwn(GUARDS, t)) return failure('unknown type', value);
  if (!GUARDS[t as MessageType](value)) return failure(`malformed ${t}`, value);
  return value as unknown as Message;
}

export function isParseFailure(v: Message | ParseFailure): v is ParseFailure {
  return 'refused' in v;
}

/** Decodes and checks untrusted bytes; returns the message or why not. Never throws. */
export function parseMessage(bytes: Uint8Array): Message | ParseFailure {
  if (!(bytes instanceof Uint8Array)) return failure('not bytes', null);
  if (bytes.length > MAX_MESSAGE_BYTES) return failure('too large', null);
  let value: unknown;
  try {
    value = canonicalDecode(bytes, { maxDepth: 6, maxItems: MAX_ITEMS });
  } catch {
    return failure('undecodable', null);
  }
  return checkMessage(value);
}
