import { describe, expect, it } from 'vitest';
import { canonicalEncode } from '../identity';
import { MailError } from './errors';
import { decodeMeta, encodeMeta } from './manifest';

const bytesOf = (s: string): number => new TextEncoder().encode(s).length;

describe('a message’s details count the media type in bytes of UTF-8', () => {
  it('shortens a long type to 128 bytes on a whole character, and the recipient reads it back', () => {
    for (const c of ['ñ', '€', '😀']) {
      // 60 wide characters after the prefix: at most 120 UTF-16 units, but 120 to 240 bytes.
      const type = `video/webm;x=${c.repeat(60)}`;
      const read = decodeMeta(encodeMeta({ type, durationMs: 1000, thumbnail: null })).type;
      expect(bytesOf(read)).toBeLessThanOrEqual(128);
      expect(type.startsWith(read)).toBe(true);
      expect(read).not.toMatch(/[\ud800-\udbff]$/);
      expect(bytesOf(type.slice(0, read.length + c.length))).toBeGreaterThan(128);
    }
  });

  it('refuses details whose type is over 128 bytes, even in fewer UTF-16 units', () => {
    const raw = canonicalEncode({ type: '€'.repeat(50), dur: 1000, thumb: null });
    expect(() => decodeMeta(raw)).toThrow(MailError);
  });
});
