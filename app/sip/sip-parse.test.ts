import { describe, expect, it } from 'vitest';
import { MAX_SIP_BYTES, parseSip } from './sip-parse';
import { request } from './testing/torture-messages';

describe('parseSip counts sizes in bytes', () => {
  it('refuses a message over MAX_SIP_BYTES bytes of UTF-8 even when it has fewer UTF-16 units', () => {
    // 4-byte characters: half as many UTF-16 units as bytes, so a count of units sees half the size.
    const body = '😀'.repeat(Math.ceil(MAX_SIP_BYTES / 4));
    const text = request('big', { method: 'MESSAGE', body });
    expect(text.length).toBeLessThan(MAX_SIP_BYTES);
    expect(parseSip(text)).toEqual({ error: `SIP message over ${MAX_SIP_BYTES} bytes`, status: 513 });
  });

  it('keeps only the Content-Length bytes in the text it hands on, and refuses a cut inside a character', () => {
    const m = parseSip(request('cut', { method: 'MESSAGE', body: '€€€trailing', contentLength: '9' }));
    if ('error' in m || m.kind !== 'request') throw new Error('not parsed as a request');
    expect(m.body).toBe('€€€');
    expect(m.text.endsWith('\r\n\r\n€€€')).toBe(true);
    expect(parseSip(request('split', { method: 'MESSAGE', body: '€€€', contentLength: '7' }))).toMatchObject({ status: 400 });
  });
});
