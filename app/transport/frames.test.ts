import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type Frame } from './frames';

const hello = (certificate: string, name?: string): Frame => ({
  t: 'hello',
  protocol: 'p2p-link/1',
  overlay: 'p2p.local',
  nodeId: 'ab'.repeat(20),
  spki: new Uint8Array(91),
  nonce: new Uint8Array(32),
  user: { signingSpki: new Uint8Array(91), binding: new Uint8Array(64), certificate, ...(name === undefined ? {} : { name }) },
});

describe('frame limits on text count bytes of UTF-8', () => {
  it('refuses a certificate or a goodbye over its limit in bytes, with fewer UTF-16 units than the limit', () => {
    // € is 3 bytes and one UTF-16 unit: 3000 of them are 9000 bytes, under 8192 units.
    expect(decodeFrame(encodeFrame(hello('€'.repeat(3000))))).toEqual({ error: 'unknown or malformed frame' });
    expect(decodeFrame(encodeFrame({ t: 'bye', reason: '😀'.repeat(200) }))).toEqual({ error: 'unknown or malformed frame' });
    expect(decodeFrame(encodeFrame({ t: 'bye', reason: 'ñ'.repeat(251) }))).toEqual({ error: 'unknown or malformed frame' });
  });

  it('takes text up to the limit in bytes, whatever its characters', () => {
    expect(decodeFrame(encodeFrame(hello('€'.repeat(2730))))).toMatchObject({ t: 'hello' });
    // A certified name may be as long as a certificate allows (128 bytes), and the hello carries it.
    for (const name of ['a'.repeat(128), 'ñ'.repeat(64), '😀'.repeat(32)]) expect(decodeFrame(encodeFrame(hello('{}', name)))).toMatchObject({ t: 'hello', user: { name } });
    expect(decodeFrame(encodeFrame(hello('{}', '€'.repeat(43))))).toEqual({ error: 'unknown or malformed frame' });
    for (const reason of ['😀'.repeat(125), 'ñ'.repeat(250), '€'.repeat(166)]) expect(decodeFrame(encodeFrame({ t: 'bye', reason }))).toEqual({ t: 'bye', reason });
  });
});
