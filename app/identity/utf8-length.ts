/**
 * Lengths of text counted the way they cross a boundary: in bytes of UTF-8
 * (RFC 3629). JavaScript's `string.length` counts UTF-16 code units, which is
 * the byte count only for ASCII: `ñ` is 1 unit and 2 bytes, `€` 1 unit and 3
 * bytes, `😀` 2 units and 4 bytes. Every limit on text that goes on the wire,
 * into a record or into a store is a byte limit, and is checked and cut here.
 * A lone surrogate counts 3 bytes, as TextEncoder writes it (U+FFFD).
 */

/** UTF-8 bytes of the code point whose UTF-16 form starts at `i` in `text`, and the units it takes there. */
function step(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return [4, 2];
  }
  return [3, 1];
}

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const [b, u] = step(text, i);
    n += b;
    i += u;
  }
  return n;
}

/** Whether `text` fits in `maxBytes` bytes of UTF-8; stops counting as soon as it does not. */
export function fitsUtf8(text: string, maxBytes: number): boolean {
  // Every UTF-16 unit is at least one byte and at most three: both bounds settle most texts at once.
  if (text.length > maxBytes) return false;
  if (text.length * 3 <= maxBytes) return true;
  let n = 0;
  for (let i = 0; i < text.length; ) {
    const [b, u] = step(text, i);
    n += b;
    if (n > maxBytes) return false;
    i += u;
  }
  return true;
}

/**
 * The longest start of `text` that fits in `maxBytes` bytes of UTF-8 and
 * ends on a whole character (never half of a surrogate pair or of a
 * multi-byte sequence). For shortening text to a byte limit.
 */
export function utf8Prefix(text: string, maxBytes: number): string {
  if (fitsUtf8(text, maxBytes)) return text;
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const [b, u] = step(text, i);
    if (n + b > maxBytes) break;
    n += b;
    i += u;
  }
  return text.slice(0, i);
}

/**
 * Where the first `bytes` bytes of `text`'s UTF-8 end, as a UTF-16 index
 * into `text`: for cutting text at a length given in bytes (a SIP
 * Content-Length). `'inside'` when that byte falls within a character,
 * `'past-end'` when `text` has fewer bytes.
 */
export function utf8Offset(text: string, bytes: number): number | 'inside' | 'past-end' {
  let n = 0;
  let i = 0;
  while (n < bytes) {
    if (i >= text.length) return 'past-end';
    const [b, u] = step(text, i);
    n += b;
    i += u;
  }
  return n === bytes ? i : 'inside';
}
