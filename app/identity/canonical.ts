/**
 * Canonical byte encoding of records: one value has exactly one encoding, so
 * a signature over the bytes is a signature over the value. Decoding refuses
 * every non-canonical form (unsorted keys, padded varints, integers written
 * as floats), so `encode(decode(b))` always gives back `b`.
 *
 * Tags: 0 null, 1 false, 2 true, 3 non-negative integer, 4 negative integer,
 * 5 float64, 6 string, 7 bytes, 8 array, 9 map (keys sorted by UTF-8 bytes).
 */
import { compareBytes, fromUtf8, utf8 } from './bytes';
import { EncodingError } from './errors';

export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

/** Limits applied while decoding untrusted bytes. */
export interface DecodeLimits {
  /** @default 32 */
  maxDepth?: number;
  /** Largest element count of one array or map. @default 100_000 */
  maxItems?: number;
}

const enum Tag {
  Null = 0,
  False = 1,
  True = 2,
  UInt = 3,
  NegInt = 4,
  Float = 5,
  Str = 6,
  Bytes = 7,
  Arr = 8,
  Map = 9,
}

class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** A string as length and UTF-8 bytes; short ASCII (all wire keys and tags) is copied without an encoder call. */
  text(v: string): void {
    if (v.length <= 64 && isAscii(v)) {
      this.varint(v.length);
      this.ensure(v.length);
      for (let i = 0; i < v.length; i++) this.buf[this.length++] = v.charCodeAt(i);
      return;
    }
    const b = utf8(v);
    this.varint(b.length);
    this.bytes(b);
  }

  varint(n: number): void {
    // Arithmetic rather than bit operations: values go up to 2^53.
    while (n >= 0x80) {
      this.byte((n % 0x80) + 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function writeValue(w: Writer, v: CanonicalValue, depth: number): void {
  if (depth > 64) throw new EncodingError('value nested too deeply');
  if (v === null) return w.byte(Tag.Null);
  if (v === false) return w.byte(Tag.False);
  if (v === true) return w.byte(Tag.True);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new EncodingError('numbers must be finite');
    if (Number.isSafeInteger(v)) {
      // -0 is written as 0: they are the same integer.
      if (v >= 0) {
        w.byte(Tag.UInt);
        w.varint(v);
      } else {
        w.byte(Tag.NegInt);
        w.varint(-v - 1);
      }
      return;
    }
    w.byte(Tag.Float);
    const f = new Uint8Array(8);
    new DataView(f.buffer).setFloat64(0, v);
    return w.bytes(f);
  }
  if (typeof v === 'string') {
    w.byte(Tag.Str);
    return w.text(v);
  }
  if (v instanceof Uint8Array) {
    w.byte(Tag.Bytes);
    w.varint(v.length);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    w.byte(Tag.Arr);
    w.varint(v.length);
    for (const item of v as readonly CanonicalValue[]) writeValue(w, item, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new EncodingError('only plain objects can be encoded');
    }
    const keys = Object.keys(v);
    // ASCII keys sort the same as strings and as UTF-8 bytes: no byte arrays needed.
    if (keys.every(isAscii)) {
      keys.sort();
      let n = 0;
      for (const k of keys) if ((v as Record<string, unknown>)[k] !== undefined) n++;
      w.byte(Tag.Map);
      w.varint(n);
      for (const k of keys) {
        const val = (v as Record<string, CanonicalValue | undefined>)[k];
        if (val === undefined) continue;
        w.text(k);
        writeValue(w, val, depth + 1);
      }
      return;
    }
    const entries = Object.entries(v)
      .filter((e): e is [string, CanonicalValue] => e[1] !== undefined)
      .map(([k, val]) => [utf8(k), val] as const)
      .sort((a, b) => compareBytes(a[0], b[0]));
    w.byte(Tag.Map);
    w.varint(entries.length);
    for (const [k, val] of entries) {
      w.varint(k.length);
      w.bytes(k);
      writeValue(w, val, depth + 1);
    }
    return;
  }
  throw new EncodingError(`cannot encode a ${typeof v}`);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The canonical bytes of a value. Throws EncodingError on values it cannot represent. */
export function canonicalEncode(value: CanonicalValue): Uint8Array {
  // One scratch writer reused (encoding is synchronous and calls no user code); the result is a copy.
  const w = scratch;
  w.length = 0;
  try {
    writeValue(w, value, 0);
    return w.result();
  } finally {
    w.length = 0;
  }
}

const scratch = new Writer();

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    readonly maxDepth: number,
    readonly maxItems: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new EncodingError('unexpected end of input');
    return this.buf[this.pos++]!;
  }

  take(n: number): Uint8Array {
    return this.view(n).slice();
  }

  /** The next n bytes without copying them. */
  view(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) throw new EncodingError('length runs past the end of input');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i > 7) throw new EncodingError('varint too long');
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (b === 0 && i > 0) throw new EncodingError('non-canonical varint');
        break;
      }
      scale *= 0x80;
    }
    if (!Number.isSafeInteger(n)) throw new EncodingError('integer out of range');
    return n;
  }

  count(): number {
    const n = this.varint();
    if (n > this.maxItems) throw new EncodingError(`more than ${this.maxItems} items`);
    return n;
  }
}

function readValue(r: Reader, depth: number): CanonicalValue {
  if (depth > r.maxDepth) throw new EncodingError('value nested too deeply');
  const tag = r.byte();
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.UInt:
      return r.varint();
    case Tag.NegInt: {
      const n = r.varint();
      if (n + 1 > Number.MAX_SAFE_INTEGER) throw new EncodingError('integer out of range');
      return -n - 1;
    }
    case Tag.Float: {
      const f = new DataView(r.take(8).buffer).getFloat64(0);
      if (!Number.isFinite(f) || Number.isSafeInteger(f)) throw new EncodingError('non-canonical float');
      return f;
    }
    case Tag.Str: {
      const b = r.view(r.varint());
      try {
        return decodeText(b);
      } catch {
        throw new EncodingError('string is not valid UTF-8');
      }
    }
    case Tag.Bytes:
      return r.take(r.varint());
    case Tag.Arr: {
      const n = r.count();
      const out: CanonicalValue[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(r, depth + 1));
      return out;
    }
    case Tag.Map: {
      const n = r.count();
      const out: Record<string, CanonicalValue> = {};
      let prev: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        const kb = r.view(r.varint());
        if (prev && compareBytes(prev, kb) >= 0) throw new EncodingError('map keys out of order');
        prev = kb;
        let key: string;
        try {
          key = decodeText(kb);
        } catch {
          throw new EncodingError('map key is not valid UTF-8');
        }
        const value = readValue(r, depth + 1);
        // defineProperty, not assignment, for "__proto__": it must stay data.
        if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        else out[key] = value;
      }
      return out;
    }
    default:
      throw new EncodingError(`unknown tag ${tag}`);
  }
}

/** UTF-8 to string; short ASCII without a decoder call. Throws on malformed UTF-8. */
function decodeText(b: Uint8Array): string {
  if (b.length <= 64) {
    let out = '';
    for (let i = 0; i < b.length; i++) {
      if (b[i]! > 0x7f) return fromUtf8(b);
      out += String.fromCharCode(b[i]!);
    }
    return out;
  }
  return fromUtf8(b);
}

/** Decodes canonical bytes; throws EncodingError on anything malformed or non-canonical. */
export function canonicalDecode(bytes: Uint8Array, limits: DecodeLimits = {}): CanonicalValue {
  const r = new Reader(bytes, limits.maxDepth ?? 32, limits.maxItems ?? 100_000);
  const v = readValue(r, 0);
  if (!r.done) throw new EncodingError('trailing bytes after value');
  return v;
}
