/**
 * Fetching: per stripe, ask for k + 1 fragments at once (data fragments
 * first, so an intact stripe needs no rebuilding), start another request for
 * each one that fails, and stop at k good ones. A fragment is good when its
 * bytes hash to the key the manifest lists and its header and length are
 * right, so a lying or damaged holder costs one request, never the message.
 */
import { concatBytes, equalBytes, utf8 } from '../identity';
import { blobKey, webCryptoVerifier } from '../overlay';
import type { ErasureCoder } from './coder';
import { FETCH_PARALLEL } from './constants';
import { open, unwrapSecrets, type MessageSecrets } from './cipher';
import { MailError } from './errors';
import { ciphertextSize, decodeMeta, fragmentKey, fragmentShard, fragmentSigPrefix, stripeCount, stripeLength, type Manifest, type MessageMeta } from './manifest';
import { fromHex } from '../identity';
import type { MailOverlay } from './overlay-io';
import type { FetchProgress } from './types';
import { shardSize } from './coder';

export interface OpenKeys {
  ecdhPrivateKey: CryptoKey;
  ecdhSpki: Uint8Array;
}

export async function openSecrets(manifest: Manifest, keys: OpenKeys): Promise<MessageSecrets> {
  return unwrapSecrets(manifest.wrap, keys.ecdhPrivateKey, keys.ecdhSpki, fromHex(manifest.id));
}

export async function openMeta(manifest: Manifest, secrets: MessageSecrets): Promise<MessageMeta> {
  const plain = await open(secrets.contentKey, manifest.meta.iv, manifest.meta.ct, concatBytes(utf8('meta:'), fromHex(manifest.id)), 'The message details');
  return decodeMeta(plain);
}

type FragmentResult = { ok: true; shard: Uint8Array } | { ok: false; deleted: boolean };

async function fetchFragment(overlay: MailOverlay, manifest: Manifest, stripe: number, index: number, size: number): Promise<FragmentResult> {
  const key = fragmentKey(manifest, stripe, index);
  let records;
  try {
    records = await overlay.getBlob(key);
  } catch {
    return { ok: false, deleted: false };
  }
  let deleted = false;
  for (const r of records) {
    if (r.kind !== 'blob' || !equalBytes(r.k, key)) continue;
    if (r.value.length === 0) {
      deleted = true;
      continue;
    }
    // Checked here again: the overlay client checks too, but mail trusts no layer below it with the video.
    if (!equalBytes(await blobKey(r.value, webCryptoVerifier), key)) continue;
    const shard = fragmentShard(r.value, manifest.id, stripe, index, size);
    if (shard) return { ok: true, shard };
  }
  return { ok: false, deleted };
}

/** Gets k good fragments of one stripe and rebuilds it. */
async function fetchStripe(overlay: MailOverlay, coder: ErasureCoder, manifest: Manifest, stripe: number, onFragment: (good: boolean) => void): Promise<Uint8Array> {
  const { k, m } = manifest;
  const length = stripeLength(manifest, stripe);
  const size = shardSize(length, k);
  const got: (Uint8Array | null)[] = new Array<Uint8Array | null>(m).fill(null);
  let good = 0;
  let failed = 0;
  let deleted = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      if (good >= k) return resolve();
      if (next >= m) {
        if (good + failed >= m || m - failed < k) resolve();
        return;
      }
      const index = next++;
      void fetchFragment(overlay, manifest, stripe, index, size).then((r) => {
        if (good >= k) return;
        if (r.ok) {
          got[index] = r.shard;
          good++;
        } else {
          failed++;
          if (r.deleted) deleted++;
        }
        onFragment(r.ok);
        launch();
      });
    };
    for (let i = 0; i < Math.min(m, k + 1); i++) launch();
  });
  if (good < k) {
    if (deleted > 0) throw new MailError('deleted', 'This message was deleted.');
    throw new MailError('unrecoverable', `This message can no longer be rebuilt: only ${good} of the ${k} fragments needed for part ${stripe + 1} of ${stripeCount(manifest)} are online.`);
  }
  // Exactly k fragments go to the decoder; a late extra one is dropped.
  let used = 0;
  const chosen = got.map((f) => (f && used < k ? (used++, f) : null));
  return coder.decodeStripe(chosen, k, m, length);
}

export interface FetchOptions {
  overlay: MailOverlay;
  coder: ErasureCoder;
  manifest: Manifest;
  keys: OpenKeys;
  onProgress?: (p: FetchProgress) => void;
}

/** Fetches, rebuilds and decrypts a message; throws MailError with a plain reason. */
export async function fetchMessage(o: FetchOptions): Promise<{ video: Uint8Array; meta: MessageMeta }> {
  const { manifest } = o;
  const secrets = await openSecrets(manifest, o.keys);
  const meta = await openMeta(manifest, secrets);
  const stripes = stripeCount(manifest);
  const ct = new Uint8Array(ciphertextSize(manifest));
  const progress: FetchProgress = { stripesDone: 0, stripes, fragments: 0, ignored: 0, bytes: 0 };
  const onFragment = (good: boolean): void => {
    if (good) progress.fragments++;
    else progress.ignored++;
    o.onProgress?.({ ...progress });
  };
  // A few stripes at once keep more holders busy; FETCH_PARALLEL bounds the fragments in flight.
  const lanes = Math.max(1, Math.floor(FETCH_PARALLEL / (manifest.k + 1)));
  let nextStripe = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, stripes) }, async () => {
      while (nextStripe < stripes) {
        const s = nextStripe++;
        const data = await fetchStripe(o.overlay, o.coder, manifest, s, onFragment);
        ct.set(data, s * manifest.k * manifest.frag);
        progress.stripesDone++;
        progress.bytes += data.length;
        o.onProgress?.({ ...progress });
      }
    }),
  );
  const padded = await open(secrets.contentKey, manifest.iv, ct, concatBytes(utf8('video:'), fromHex(manifest.id)), 'The video');
  // The padding is inside the authenticated ciphertext; the exact size comes from the sealed manifest.
  return { video: padded.subarray(0, manifest.size), meta };
}

export interface Health {
  /** Fewest fragments online in any stripe. */
  online: number;
  /** Fragments online in total, of `total`. */
  onlineTotal: number;
  total: number;
  k: number;
  m: number;
  /** One more loss in some stripe and the message is gone. */
  atRisk: boolean;
  lost: boolean;
  deleted: boolean;
}

/** Asks the holders of every fragment whether they still have it (nothing is downloaded). */
export async function messageHealth(overlay: MailOverlay, manifest: Manifest): Promise<Health> {
  const { k, m } = manifest;
  const stripes = stripeCount(manifest);
  const perStripe = new Array<number>(stripes).fill(0);
  let deleted = 0;
  const jobs: [number, number][] = [];
  for (let s = 0; s < stripes; s++) for (let i = 0; i < m; i++) jobs.push([s, i]);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(16, jobs.length) }, async () => {
      while (next < jobs.length) {
        const [s, i] = jobs[next++]!;
        const state = await overlay.probe(fragmentKey(manifest, s, i), 1, fragmentSigPrefix(manifest, s, i)).catch(() => 'missing' as const);
        if (state === 'present') perStripe[s]!++;
        if (state === 'deleted') deleted++;
      }
    }),
  );
  const online = Math.min(...perStripe);
  const onlineTotal = perStripe.reduce((a, b) => a + b, 0);
  return { online, onlineTotal, total: stripes * m, k, m, atRisk: online <= k, lost: online < k, deleted: deleted > 0 };
}
