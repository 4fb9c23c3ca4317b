/**
 * What end-to-end encryption of routed messages costs per message (issue
 * 17), measured on the SIP messages of the calls benchmark itself: for each
 * text, the sender's sealing (encode, pad, AES-256-GCM) and the target's
 * opening (AES-GCM, unpad, decode, checks), timed with Node 20's WebCrypto in
 * this process (the same code the tabs run; the tabs' Chromium WebCrypto is
 * not timed here), and the bytes a sealed message adds on the wire over the
 * plaintext message of before. Baseline, same run: the ECDSA P-256
 * signature every routed message already carried.
 */
import { performance } from 'node:perf_hooks';
import { exportAgreementPublic, fromHex, generateAgreementKeyPair, generateSigningKeyPair, signBytes, utf8 } from '../../app/identity/index.ts';
import { conversationKey, openInner, sealInner, type InnerMessage } from '../../app/overlay/message-sealing.ts';
import { encodeMessage } from '../../app/overlay/sim/index.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

/** Times `fn` once, in microseconds. */
async function micros(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) * 1000;
}

export async function sealingBench(add: Add, texts: string[]): Promise<void> {
  if (texts.length === 0) return add('routed messages measured for encryption cost', 0, 'messages', 'no SIP text was captured');
  const from = fromHex('11'.repeat(20));
  const to = fromHex('22'.repeat(20));
  const target = await generateAgreementKeyPair();
  const targetKey = await exportAgreementPublic(target.publicKey);
  const signing = await generateSigningKeyPair();
  const spki = new Uint8Array(91);
  const sig = new Uint8Array(64);
  const convUs: number[] = [];
  const sealUs: number[] = [];
  const openUs: number[] = [];
  const signUs: number[] = [];
  const added: number[] = [];
  const rounds = Math.max(1, Math.ceil(400 / texts.length));
  for (let round = 0; round < rounds; round++) {
    const eph = await generateAgreementKeyPair();
    const ephRaw = await exportAgreementPublic(eph.publicKey);
    let senderKey: CryptoKey | null = null;
    convUs.push(await micros(async () => (senderKey = await conversationKey(eph.privateKey, target.publicKey, from, to, ephRaw, targetKey))));
    const receiverKey = await conversationKey(target.privateKey, eph.publicKey, from, to, ephRaw, targetKey);
    for (const [i, text] of texts.entries()) {
      const body = utf8(text);
      const at = Date.now();
      const inner: InnerMessage = { aid: i, to, from, at, topic: 'sip', body };
      let box: Uint8Array = new Uint8Array(0);
      sealUs.push(await micros(async () => (box = await sealInner(senderKey!, inner, ephRaw))));
      const sealed = { t: 'app-sealed' as const, aid: i, to, from, spki, at, eph: ephRaw, box, hops: 0, sig };
      openUs.push(
        await micros(async () => {
          const r = await openInner(receiverKey, sealed, Date.now());
          if (typeof r === 'string') throw new Error(`a sealed message did not open: ${r}`);
        }),
      );
      signUs.push(await micros(() => signBytes(signing.privateKey, body)));
      if (round === 0) {
        const plain = encodeMessage({ t: 'app', aid: i, to, from, spki, at, topic: 'sip', body, hops: 0, sig });
        added.push(encodeMessage(sealed).length - plain.length);
      }
    }
  }
  const sizes = texts.map((t) => utf8(t).length);
  add('routed messages measured for encryption cost (the SIP of these calls)', texts.length, 'messages', `${pct(sizes, 0.5)} B p50, ${Math.max(...sizes)} B largest; ${rounds} rounds; Node WebCrypto`);
  add('encryption per routed message (seal: encode, pad, AES-GCM), p50', pct(sealUs, 0.5), 'µs', `ECDSA signature per message p50 ${pct(signUs, 0.5).toFixed(0)} µs (same run, already paid before)`);
  add('decryption per routed message (open: AES-GCM, unpad, decode, checks), p50', pct(openUs, 0.5), 'µs', `ECDSA signature p50 ${pct(signUs, 0.5).toFixed(0)} µs`);
  add('conversation key per new conversation (ECDH + HKDF), p50', pct(convUs, 0.5), 'µs', 'once per target per 10 min, each side');
  add('bytes added per routed message (ephemeral key, nonce, tag, padding), p50', pct(added, 0.5), 'B', `mean ${(added.reduce((s, x) => s + x, 0) / added.length).toFixed(0)} B, max ${Math.max(...added)} B; the first message of a conversation carries ~150 B more (the sender's signed agreement key)`);
}
