import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryKeyValueStore, toBase64Url } from '../identity';
import {
  AUDIT_LOG_MAX,
  AuditLog,
  KeyParseError,
  makeRule,
  MAX_ROOT_LABEL,
  parsePublicKeyText,
  RuleStore,
  RulesImportError,
  STORAGE_KEYS,
  TrustedRootStore,
  type CrossTabLock,
  type PermissionRule,
} from './index';
import { silentLogger } from '../common';
import { ManualClock } from '../common/testing';
import { keyPair } from './testing/fixtures';

const clock = new ManualClock();
const now = (): number => clock.now();
const k1 = await keyPair();
const k2 = await keyPair();

async function storeWithRules(): Promise<{ store: MemoryKeyValueStore; rules: RuleStore }> {
  const store = new MemoryKeyValueStore();
  const rules = await RuleStore.open(store, now, silentLogger);
  await rules.remember(await makeRule({ scope: 'contact', kind: 'user', spki: k1.spki, decision: 'allow', created: now(), name: 'alice' }));
  await rules.remember(await makeRule({ scope: 'overlay', kind: 'node', spki: k2.spki, decision: 'deny', created: now() + 1 }));
  return { store, rules };
}

describe('rule store', () => {
  it('lists rules newest first with who, scope, decision and when', async () => {
    const { rules } = await storeWithRules();
    expect(rules.getSnapshot().map((r) => [r.subject.kind, r.scope, r.decision, r.created - now()])).toEqual([
      ['node', 'overlay', 'deny', 1],
      ['user', 'contact', 'allow', 0],
    ]);
    expect(rules.getSnapshot()[1]!.subject).toMatchObject({ name: 'alice', keyId: k1.id, fingerprint: `${k1.id.slice(0, 4)} ${k1.id.slice(4, 8)} ${k1.id.slice(8, 12)}` });
  });

  it('exports and imports a round trip into another browser', async () => {
    const { rules } = await storeWithRules();
    const other = await RuleStore.open(new MemoryKeyValueStore(), now, silentLogger);
    expect(await other.importJson(rules.exportJson())).toEqual({ imported: 2, replaced: 0 });
    expect(other.getSnapshot()).toEqual(rules.getSnapshot());
  });

  it('revokes one or all, telling listeners each revoked rule', async () => {
    const { store, rules } = await storeWithRules();
    const revoked: PermissionRule[] = [];
    rules.onRevoked((r) => revoked.push(r));
    const [newest, oldest] = rules.getSnapshot();
    await rules.revoke(newest!.id);
    expect(revoked).toEqual([newest]);
    await rules.revokeAll();
    expect(revoked).toEqual([newest, oldest]);
    expect((await RuleStore.open(store, now, silentLogger)).getSnapshot()).toEqual([]);
  });

  it('refuses bad files with a message that says what was wrong, and leaves the rules as they were', async () => {
    const { store, rules } = await storeWithRules();
    const before = rules.getSnapshot();
    const stored = store.data.get(STORAGE_KEYS.rules);
    const good = JSON.parse(rules.exportJson()) as { rules: Record<string, unknown>[] };
    const withRule = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, rules: [good.rules[0], { ...good.rules[1], ...patch }] });
    const cases: [string, RegExp][] = [
      ['this is not json', /not JSON/],
      ['[]', /expected a JSON object/],
      [JSON.stringify({ rules: [] }), /"format"/],
      [JSON.stringify({ ...good, rules: 'all' }), /no "rules" list/],
      [withRule({ scope: 'everything' }), /rule 2: "scope"/],
      [withRule({ decision: 'maybe' }), /rule 2: "decision"/],
      [withRule({ created: 'yesterday' }), /rule 2: "created"/],
      [withRule({ key: toBase64Url(new Uint8Array(91)) }), /rule 2: the key does not parse/],
      [withRule({ key: 'not base64 at all!' }), /rule 2: the key does not parse/],
      // 1.4 million × € is under the 4,000,000 limit in UTF-16 units and 4.2 MB in bytes.
      ['€'.repeat(1_400_000), /too large/],
    ];
    for (const [text, message] of cases) {
      const error = await rules.importJson(text, 'replace').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RulesImportError);
      expect((error as Error).message).toMatch(message);
      expect(rules.getSnapshot()).toBe(before);
      expect(store.data.get(STORAGE_KEYS.rules)).toBe(stored);
    }
  });

  it('refuses any other JSON value or text with a RulesImportError, changing nothing', async () => {
    const { rules } = await storeWithRules();
    const before = rules.getSnapshot();
    const good = JSON.parse(rules.exportJson()) as Record<string, unknown>;
    const input = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ format: fc.constant(good['format']), version: fc.constant(1), rules: fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 }) }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(input, async (text) => {
        const error = await rules.importJson(text, 'replace').then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(RulesImportError);
        expect(rules.getSnapshot()).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('starts empty with a warning when the stored rules are damaged', async () => {
    const store = new MemoryKeyValueStore();
    await store.set(STORAGE_KEYS.rules, { format: 'garbage' });
    const rules = await RuleStore.open(store, now, silentLogger);
    expect(rules.getSnapshot()).toEqual([]);
    expect(rules.warnings[0]).toMatch(/could not be read/);
  });
});

describe('public key text', () => {
  it('reads base64url, base64, hex, PEM, a JWK and the public key file', async () => {
    const b64url = toBase64Url(k1.spki);
    const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/');
    const hex = Array.from(k1.spki, (b) => b.toString(16).padStart(2, '0')).join('');
    const pem = `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const jwk = (await globalThis.crypto.subtle.exportKey('jwk', await globalThis.crypto.subtle.importKey('spki', k1.spki as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']))) as Record<string, unknown>;
    for (const text of [b64url, b64, hex, pem, JSON.stringify(jwk), JSON.stringify({ publicKey: b64url, fingerprint: 'x' })]) {
      expect(await parsePublicKeyText(text)).toEqual(k1.spki);
    }
  });

  it('says what is wrong, and will not take a private key', async () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['{"publicKey": ', /not valid JSON/],
      ['{"x": 1}', /no "publicKey"/],
      ['{"privateKeyJwk": {}, "publicKey": "abc"}', /private key/],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', /private key/],
      ['hello world?', /not PEM, base64, hex or JSON/],
      [toBase64Url(new Uint8Array(91)), /does not parse/],
      // Sizes are bytes of UTF-8: 6000 × € is 6000 UTF-16 units but 18000 bytes.
      ['€'.repeat(6000), /longer than 16384 bytes/],
    ];
    for (const [text, message] of cases) await expect(parsePublicKeyText(text)).rejects.toThrow(message);
    await expect(parsePublicKeyText('AAAA')).rejects.toBeInstanceOf(KeyParseError);
  });
});

describe('trusted roots', () => {
  it('adds, re-adds (updating the policy), switches a scope off and removes, telling listeners', async () => {
    const store = new MemoryKeyValueStore();
    const roots = await TrustedRootStore.open(store, now, silentLogger);
    const withdrawn: string[][] = [];
    roots.onWithdrawn((w) => withdrawn.push([...w.scopes]));
    const r = await roots.add(toBase64Url(k1.spki), { label: 'Acme' });
    expect(r).toMatchObject({ id: k1.id, label: 'Acme', allow: { overlay: true, contact: true } });
    await roots.add(toBase64Url(k1.spki), { allow: { overlay: false } });
    expect(withdrawn).toEqual([['overlay']]);
    expect(roots.getSnapshot()).toHaveLength(1);
    expect(roots.find(r.id)).toMatchObject({ label: 'Acme', allow: { overlay: false, contact: true } });
    expect((await TrustedRootStore.open(store, now, silentLogger)).getSnapshot()).toEqual(roots.getSnapshot());
    await roots.remove(r.id);
    expect(withdrawn).toEqual([['overlay'], ['contact']]);
    await expect(roots.add('nonsense!')).rejects.toBeInstanceOf(KeyParseError);
    expect(roots.getSnapshot()).toEqual([]);
  });

  it('shortens a long label to its limit in bytes, on a whole character', async () => {
    const roots = await TrustedRootStore.open(new MemoryKeyValueStore(), now, silentLogger);
    for (const label of [`a${'😀'.repeat(60)}`, 'ñ'.repeat(80), `ab${'€'.repeat(50)}`]) {
      const r = await roots.add(toBase64Url(k1.spki), { label });
      expect(label.startsWith(r.label)).toBe(true);
      expect(new TextEncoder().encode(r.label).length).toBeLessThanOrEqual(MAX_ROOT_LABEL);
      // No half of a surrogate pair at the end, which the page would show as a broken character.
      expect(r.label).not.toMatch(/[\ud800-\udbff]$/);
    }
  });
});

describe('audit log', () => {
  it(`keeps the last ${AUDIT_LOG_MAX} entries, also across a reload`, async () => {
    const store = new MemoryKeyValueStore();
    const log = await AuditLog.open(store, silentLogger);
    const entry = { at: 1, peerNodeId: k1.id, fingerprint: 'f', scope: 'overlay', direction: 'inbound', overlay: 'o', allow: true, reason: 'policy', detail: '' } as const;
    for (let i = 0; i < AUDIT_LOG_MAX + 5; i++) log.record(entry);
    const list = log.getSnapshot();
    expect(list).toHaveLength(AUDIT_LOG_MAX);
    expect(list[0]!.seq).toBe(AUDIT_LOG_MAX + 5);
    expect(list.at(-1)!.seq).toBe(6);
    await new Promise((r) => setTimeout(r, 0));
    expect((await AuditLog.open(store, silentLogger)).getSnapshot()).toEqual(list);
  });

  it('two tabs writing at once keep every line of both, numbered uniquely (the last writer used to win)', async () => {
    const store = new MemoryKeyValueStore();
    // Web Locks stand-in: one holder at a time across both "tabs".
    let held: Promise<unknown> = Promise.resolve();
    const lock: CrossTabLock = (_name, fn) => {
      const run = held.then(fn, fn);
      held = run.catch(() => undefined);
      return run;
    };
    const [a, b] = await Promise.all([AuditLog.open(store, silentLogger, 100, lock), AuditLog.open(store, silentLogger, 100, lock)]);
    const entry = (tab: string, i: number) => ({ at: i, peerNodeId: k1.id, fingerprint: 'f', scope: 'overlay', direction: 'inbound', overlay: 'o', allow: true, reason: 'policy', detail: `${tab}${i}` }) as const;
    for (let i = 0; i < 30; i++) {
      a.record(entry('a', i));
      b.record(entry('b', i));
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all([a.flush(), b.flush()]);
    const stored = (await AuditLog.open(store, silentLogger, 100)).getSnapshot();
    expect(stored.map((e) => e.detail).sort()).toEqual([...Array.from({ length: 30 }, (_, i) => `a${i}`), ...Array.from({ length: 30 }, (_, i) => `b${i}`)].sort());
    const seqs = stored.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(60);
    expect([...seqs].sort((x, y) => y - x)).toEqual(seqs);
    // A tab sees the other's lines once it re-reads (another tab's change, or its own next write).
    await a.reload();
    expect(a.getSnapshot().map((e) => e.detail).sort()).toEqual(stored.map((e) => e.detail).sort());
    // Bounded: the oldest go first.
    for (let i = 30; i < 80; i++) b.record(entry('b', i));
    await b.flush();
    const bounded = (await AuditLog.open(store, silentLogger, 100)).getSnapshot();
    expect(bounded).toHaveLength(100);
    expect(bounded[0]!.detail).toBe('b79');
  });

  it('a damaged stored log is written over by new lines rather than blocking them', async () => {
    const store = new MemoryKeyValueStore();
    const log = await AuditLog.open(store, silentLogger, 10);
    await store.set(STORAGE_KEYS.audit, 'garbage');
    log.record({ at: 1, peerNodeId: k1.id, fingerprint: 'f', scope: 'overlay', direction: 'inbound', overlay: 'o', allow: false, reason: 'user', detail: 'x' });
    await log.flush();
    expect((await AuditLog.open(store, silentLogger, 10)).getSnapshot().map((e) => e.detail)).toEqual(['x']);
  });
});
