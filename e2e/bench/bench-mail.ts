/**
 * `npm run bench -- --only mail [--tabs 16] [--mb 7.5]`: video mail in real
 * tabs, one person per tab. (1) Reed-Solomon encode and decode throughput in
 * the app's Web Worker coder (the MailService's own), for k = 4, m = 8 (the
 * default) and k = 10, m = 14 ("10+4": ten data and four parity
 * fragments), on a 7.5 MB message (a minute of video at 1 Mbit/s); decoding
 * is timed with the first m − k fragments missing, so it really rebuilds.
 * (2) End-to-end: MailService.send of a 7.5 MB recording (synthetic bytes,
 * not MediaRecorder) from one named tab to another in the overlay, then the
 * recipient's fetch + rebuild + decrypt, next to a plain transfer of the
 * same bytes over one RTCDataChannel between the same two tabs in the same
 * run (the floor).
 */
import type { Page } from 'playwright-core';
import { claimForBench, numberArg, withPeopleRing } from './bench-people.ts';

type Add = (name: string, value: number, unit: string, baseline?: string) => void;

type Win = {
  __benchBytes?: Uint8Array;
  __dc?: { pc: RTCPeerConnection; got: number; doneAt: number; channel?: RTCDataChannel };
};

const FRAG = 128 * 1024;

/** Fills window.__benchBytes with `n` random bytes and returns their SHA-256 (hex). */
export async function makeBytes(page: Page, n: number): Promise<string> {
  return page.evaluate(async (len) => {
    const b = new Uint8Array(len);
    for (let at = 0; at < len; at += 65536) crypto.getRandomValues(b.subarray(at, Math.min(len, at + 65536)));
    (window as unknown as Win).__benchBytes = b;
    return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', b)), (x) => x.toString(16).padStart(2, '0')).join('');
  }, n);
}

/** Encodes then decodes window.__benchBytes in the tab's worker coder, stripe by stripe; best of `rounds`. */
function codeInWorker(page: Page, k: number, m: number, rounds: number): Promise<{ encodeMs: number; decodeMs: number; exact: boolean }> {
  return page.evaluate(
    async ([k, m, frag, rounds]) => {
      const w = window as unknown as Win;
      const coder = window.softphoneTest!.mailCoder();
      const data = w.__benchBytes!;
      const stripe = k * frag;
      let encodeMs = Infinity;
      let decodeMs = Infinity;
      let exact = true;
      for (let r = 0; r < rounds; r++) {
        const coded: Uint8Array[][] = [];
        let t = performance.now();
        for (let at = 0; at < data.length; at += stripe) coded.push(await coder.encodeStripe(data.subarray(at, Math.min(data.length, at + stripe)), k, m));
        encodeMs = Math.min(encodeMs, performance.now() - t);
        t = performance.now();
        const out: Uint8Array[] = [];
        for (const [s, shards] of coded.entries()) {
          const length = Math.min(stripe, data.length - s * stripe);
          out.push(await coder.decodeStripe(shards.map((f, i) => (i < m - k ? null : f)), k, m, length));
        }
        decodeMs = Math.min(decodeMs, performance.now() - t);
        let at = 0;
        for (const o of out) {
          for (let i = 0; i < o.length; i += 4099) if (o[i] !== data[at + i]) exact = false;
          at += o.length;
        }
        if (at !== data.length) exact = false;
      }
      return { encodeMs, decodeMs, exact };
    },
    [k, m, FRAG, rounds] as const,
  );
}

/** One RTCDataChannel between two tabs (SDP passed through this process), then `n` bytes over it; returns ms to the last byte at the receiver. */
async function plainTransfer(from: Page, to: Page): Promise<number> {
  const gather = `(pc) => new Promise((res) => { if (pc.iceGatheringState === 'complete') return res(); pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && res()); })`;
  await from.evaluate(`window.__gather = ${gather}`);
  await to.evaluate(`window.__gather = ${gather}`);
  const offer = await from.evaluate(async () => {
    const w = window as unknown as Win & { __gather(pc: RTCPeerConnection): Promise<void> };
    const pc = new RTCPeerConnection();
    const channel = pc.createDataChannel('bench', { ordered: true });
    channel.binaryType = 'arraybuffer';
    w.__dc = { pc, got: 0, doneAt: 0, channel };
    await pc.setLocalDescription(await pc.createOffer());
    await w.__gather(pc);
    return pc.localDescription!.sdp;
  });
  const answer = await to.evaluate(async (sdp) => {
    const w = window as unknown as Win & { __gather(pc: RTCPeerConnection): Promise<void> };
    const pc = new RTCPeerConnection();
    const state = { pc, got: 0, doneAt: 0 };
    w.__dc = state;
    pc.ondatachannel = (e) => {
      e.channel.binaryType = 'arraybuffer';
      e.channel.onmessage = (ev) => {
        state.got += (ev.data as ArrayBuffer).byteLength;
        state.doneAt = Date.now();
      };
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await w.__gather(pc);
    return pc.localDescription!.sdp;
  }, offer);
  const t0 = await from.evaluate(async (sdp) => {
    const w = window as unknown as Win;
    const { pc, channel } = w.__dc!;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    const ch = channel!;
    if (ch.readyState !== 'open') await new Promise((r) => (ch.onopen = r));
    const data = w.__benchBytes!;
    const CHUNK = 64 * 1024;
    ch.bufferedAmountLowThreshold = 1 << 20;
    const start = Date.now();
    for (let at = 0; at < data.length; at += CHUNK) {
      if (ch.bufferedAmount > 4 << 20) await new Promise((r) => (ch.onbufferedamountlow = r));
      ch.send(data.slice(at, Math.min(data.length, at + CHUNK)));
    }
    return start;
  }, answer);
  const n = await from.evaluate(() => (window as unknown as Win).__benchBytes!.length);
  const until = Date.now() + 120_000;
  for (;;) {
    const s = await to.evaluate(() => ({ got: (window as unknown as Win).__dc!.got, doneAt: (window as unknown as Win).__dc!.doneAt }));
    if (s.got >= n) {
      await Promise.all([from, to].map((p) => p.evaluate(() => (window as unknown as Win).__dc!.pc.close())));
      return s.doneAt - t0;
    }
    if (Date.now() > until) throw new Error(`the data channel moved ${s.got} of ${n} bytes in 2 minutes`);
    await to.waitForTimeout(50);
  }
}

/** Claims `name` in `page` and waits for its video mail to start. */
export async function mailReady(page: Page, name: string): Promise<void> {
  // tsx names inner functions with a __name helper the page does not have.
  await page.evaluate('globalThis.__name = (f) => f');
  await claimForBench(page, name);
  await page.waitForFunction(() => window.softphoneTest!.mail() !== null, undefined, { timeout: 30_000 });
}

/**
 * Times a plain transfer of window.__benchBytes (made by makeBytes) from
 * `sender` to `reader` over one RTCDataChannel (the floor, first, so the
 * overlay's own traffic from the send does not slow it), then the sender's
 * MailService.send of the same bytes to `readerName`; adds both figures and
 * returns them with what the send reported.
 */
export async function sendAgainstPlain(add: Add, sender: Page, reader: Page, readerName: string, mb: number): Promise<{ sent: { id: string; fragments: number; stored: number }; plainMs: number; sendMs: number }> {
  const plainMs = await plainTransfer(sender, reader);
  add(`plain transfer of ${mb} MB over one RTCDataChannel (same two tabs)`, plainMs, 'ms', `${(mb / (plainMs / 1000)).toFixed(1)} MB/s; floor, same run`);
  const t0 = Date.now();
  const sent = await sender.evaluate(async (to) => {
    const w = window as unknown as Win;
    return window.softphoneTest!.mail()!.send(to, { bytes: w.__benchBytes!, type: 'video/webm', durationMs: 60_000, thumbnail: null });
  }, readerName);
  const sendMs = Date.now() - t0;
  add(`send ${mb} MB (encrypt, code k=4 m=8, store ${sent.fragments} fragments, announce)`, sendMs, 'ms', `stored ${sent.stored} of ${sent.fragments}; ${(sendMs / plainMs).toFixed(1)} × the plain transfer (target ≤ 2 ×)`);
  return { sent, plainMs, sendMs };
}

export async function mailBench(add: Add, tabs: number, argv: string[]): Promise<void> {
  const bytes = Math.round(numberArg(argv, 'mb', 7.5) * 1_000_000);
  const mb = bytes / 1_000_000;
  await withPeopleRing(add, tabs, 'setup', async (pages) => {
    const sender = pages[0]!;
    const reader = pages[Math.floor(tabs / 2)]!;
    for (const [p, name] of [[sender, 'sender'], [reader, 'reader']] as const) await mailReady(p, name);
    const hash = await makeBytes(sender, bytes);

    for (const [k, m] of [[4, 8], [10, 14]] as const) {
      const r = await codeInWorker(sender, k, m, 3);
      if (!r.exact) throw new Error(`k=${k} m=${m}: the decoded bytes differ`);
      const note = `${mb} MB, ${k * FRAG / 1024} KiB stripes, best of 3, bit-exact`;
      add(`RS encode in the worker, k=${k} m=${m}`, mb / (r.encodeMs / 1000), 'MB/s', `target ≥ 100; ${note}`);
      add(`RS decode in the worker, k=${k} m=${m} (first ${m - k} fragments missing)`, mb / (r.decodeMs / 1000), 'MB/s', note);
    }

    const { sent, plainMs, sendMs } = await sendAgainstPlain(add, sender, reader, 'reader', mb);
    add('send time / plain transfer', sendMs / plainMs, 'ratio', 'target ≤ 2');

    const t1 = Date.now();
    const fetched = await reader.evaluate(async (id) => {
      const mail = window.softphoneTest!.mail()!;
      for (let tries = 0; !mail.getSnapshot().items.some((x) => x.id === id); tries++) {
        if (tries > 20) throw new Error('the message never showed in the mailbox');
        await mail.refresh();
        if (!mail.getSnapshot().items.some((x) => x.id === id)) await new Promise((r) => setTimeout(r, 500));
      }
      const listed = Date.now();
      const { video } = await mail.play(id);
      const hex = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', video as Uint8Array<ArrayBuffer>)), (x) => x.toString(16).padStart(2, '0')).join('');
      return { listed, done: Date.now(), hex };
    }, sent.id);
    if (fetched.hex !== hash) throw new Error('the fetched message differs from what was sent');
    const fetchMs = fetched.done - fetched.listed;
    add(`fetch ${mb} MB (fetch k of m per stripe, rebuild, decrypt; bit-exact)`, fetchMs, 'ms', `${(fetchMs / plainMs).toFixed(1)} × the plain transfer`);
    add('  mailbox read before it (refresh until listed)', fetched.listed - t1, 'ms');
  });
}
