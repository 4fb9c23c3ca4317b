import { describe, expect, it } from 'vitest';
import { encodeMessage, isParseFailure, parseMessage, type Message } from './messages';

const key = new Uint8Array(20).fill(1);
const refused = (m: Message): boolean => isParseFailure(parseMessage(encodeMessage(m)));

describe('overlay message limits on text count bytes of UTF-8', () => {
  it('refuses a sub-key, cursor or reason over its limit in bytes, with fewer UTF-16 units than the limit', () => {
    // 100 × € is 100 UTF-16 units and 300 bytes, over the 256-byte bound on a sub-key.
    expect(refused({ t: 'fetch', id: 1, key, sub: '€'.repeat(100) })).toBe(true);
    expect(refused({ t: 'fetch', id: 1, key, sub: null, after: '😀'.repeat(65) })).toBe(true);
    expect(refused({ t: 'error', id: 1, reason: 'ñ'.repeat(101) })).toBe(true);
    expect(refused({ t: 'sync', id: 1, lo: key, hi: key, digest: [[key, '€'.repeat(86), 1, new Uint8Array(8)]] })).toBe(true);
  });

  it('takes text up to the limit in bytes, whatever its characters', () => {
    expect(refused({ t: 'fetch', id: 1, key, sub: '€'.repeat(85) })).toBe(false);
    expect(refused({ t: 'fetch', id: 1, key, sub: null, after: '😀'.repeat(64) })).toBe(false);
    expect(refused({ t: 'error', id: 1, reason: 'ñ'.repeat(100) })).toBe(false);
  });
});
