import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitsUtf8, utf8Length, utf8Offset, utf8Prefix } from './utf8-length';

const bytesOf = (s: string): number => new TextEncoder().encode(s).length;
// Mostly wide characters, so that cuts land inside them often; lone surrogates too, as a peer's text may hold them.
const text = fc.array(fc.oneof(fc.constantFrom('a', 'ñ', '€', '😀', '\ud800', '\udfff'), fc.string({ unit: 'binary' })), { maxLength: 12 }).map((p) => p.join(''));

describe('UTF-8 lengths (what crosses a boundary is counted in bytes)', () => {
  it('counts 2-, 3- and 4-byte characters as TextEncoder does', () => {
    expect([utf8Length('ñññ'), utf8Length('€€€'), utf8Length('😀😀😀'), utf8Length('\ud83d')]).toEqual([6, 9, 12, 3]);
    fc.assert(fc.property(text, (s) => utf8Length(s) === bytesOf(s)));
  });

  it('says whether text fits a byte limit', () => {
    expect(fitsUtf8('😀'.repeat(1000), 4000)).toBe(true);
    // 1001 emoji are 2002 UTF-16 units, well under 4000, and 4004 bytes, over it.
    expect(fitsUtf8('😀'.repeat(1001), 4000)).toBe(false);
    fc.assert(fc.property(text, fc.nat(60), (s, max) => fitsUtf8(s, max) === bytesOf(s) <= max));
  });

  it('cuts to a byte limit on a whole character, keeping as much as fits', () => {
    expect(utf8Prefix('ñññ', 5)).toBe('ññ');
    expect(utf8Prefix('€€€', 8)).toBe('€€');
    expect(utf8Prefix('😀😀😀', 10)).toBe('😀😀');
    fc.assert(
      fc.property(text, fc.nat(60), (s, max) => {
        const p = utf8Prefix(s, max);
        expect(s.startsWith(p)).toBe(true);
        expect(bytesOf(p)).toBeLessThanOrEqual(max);
        // Never half of a surrogate pair: the next unit is not the low half of a pair whose high half was kept.
        const last = p.charCodeAt(p.length - 1);
        const next = s.charCodeAt(p.length);
        expect(last >= 0xd800 && last < 0xdc00 && next >= 0xdc00 && next < 0xe000).toBe(false);
        // Maximal: one more character would not fit.
        if (p.length < s.length) expect(bytesOf(s.slice(0, p.length + (next >= 0xd800 && next < 0xdc00 && s.charCodeAt(p.length + 1) >= 0xdc00 && s.charCodeAt(p.length + 1) < 0xe000 ? 2 : 1)))).toBeGreaterThan(max);
      }),
    );
  });

  it('finds where a count of bytes ends, or says it ends inside a character or past the end', () => {
    expect(utf8Offset('ñññabc', 6)).toBe(3);
    expect(utf8Offset('ñññabc', 5)).toBe('inside');
    expect(utf8Offset('😀😀x', 8)).toBe(4);
    expect(utf8Offset('😀😀x', 6)).toBe('inside');
    expect(utf8Offset('€', 4)).toBe('past-end');
    fc.assert(
      fc.property(text, fc.nat(60), (s, n) => {
        const at = utf8Offset(s, n);
        if (at === 'past-end') expect(bytesOf(s)).toBeLessThan(n);
        else if (at === 'inside') expect(bytesOf(utf8Prefix(s, n))).toBeLessThan(n);
        else expect(bytesOf(s.slice(0, at))).toBe(n);
      }),
    );
  });
});
