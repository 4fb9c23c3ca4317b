// Tests app/tools/sign-identity.ts (npm run sign-identity) in-process, with files in memory.
import { describe, expect, it } from 'vitest';
import { parseCertificate, toBase64Url, verifyCertificate } from '../identity';
import { runCli, signIdentity, type CliIo } from './sign-identity';
import { parsePublicKeyText } from '../permissions';
import { openTestGate, requestFrom, testPeer } from '../permissions/testing';

const NOW = Date.UTC(2025, 0, 1);

function memoryIo(): CliIo & { files: Map<string, string>; stdout: string[]; stderr: string[] } {
  const files = new Map<string, string>();
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    files,
    stdout,
    stderr,
    readFile: (p) => {
      const t = files.get(p);
      if (t === undefined) throw new Error('ENOENT');
      return t;
    },
    writeFile: (p, text) => void files.set(p, text),
    exists: (p) => files.has(p),
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    now: () => NOW,
  };
}

describe('npm run sign-identity', () => {
  it('makes a root, signs a user key and name, and the certificate lets the user in where the root is trusted', async () => {
    const io = memoryIo();
    expect(await runCli(['--new-root', 'root.json'], io)).toBe(0);
    expect(JSON.parse(io.files.get('root.json')!)).toHaveProperty('privateKeyJwk');
    expect(JSON.parse(io.files.get('root.public.json')!)).not.toHaveProperty('privateKeyJwk');

    const alice = await testPeer('alice');
    io.files.set('alice.pub', toBase64Url(alice.user.spki));
    const code = await runCli(['--root-key', 'root.json', '--user-key', 'alice.pub', '--name', 'alice', '--days', '10', '--out', 'alice.cert.json'], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);

    const text = io.files.get('alice.cert.json')!;
    const rootSpki = await parsePublicKeyText(io.files.get('root.public.json')!);
    const check = await verifyCertificate(text, { trustedRoots: [rootSpki], now: NOW + 86_400_000, subjectSpki: alice.user.spki, name: 'alice' });
    expect(check.ok).toBe(true);
    expect(parseCertificate(text).expires).toBe(NOW + 10 * 86_400_000);

    const { gate } = await openTestGate();
    await gate.roots.add(io.files.get('root.public.json')!, { label: 'Operator' });
    expect(await gate.decide(requestFrom(alice, { certificate: text }))).toMatchObject({ allow: true, reason: 'policy' });
  });

  it('prints the certificate when no --out is given, and takes the key itself as well as a file', async () => {
    const io = memoryIo();
    await runCli(['--new-root', 'r.json'], io);
    const bob = await testPeer('bob');
    io.stdout.length = 0;
    expect(await runCli(['--root-key', 'r.json', '--user-key', toBase64Url(bob.user.spki), '--name', 'bob'], io)).toBe(0);
    expect(parseCertificate(io.stdout.join('')).name).toBe('bob');
  });

  it('says what is wrong with bad arguments or files', async () => {
    const io = memoryIo();
    await runCli(['--new-root', 'root.json'], io);
    const key = toBase64Url((await testPeer()).user.spki);
    io.files.set('junk.json', 'not json');
    const cases: [string[], RegExp][] = [
      [['--bogus'], /Unknown option '--bogus'/],
      [['--root-key', 'root.json', '--user-key', key], /--name are all needed/],
      [['--root-key', 'root.json', '--user-key', key, '--name', 'a', '--days', 'ten'], /--days must be a whole number/],
      [['--root-key', 'root.json', '--user-key', key, '--name', 'a', '--days', '0'], /--days must be a whole number from 1/],
      [['--root-key', 'missing.json', '--user-key', key, '--name', 'a'], /cannot read missing.json/],
      [['--root-key', 'junk.json', '--user-key', key, '--name', 'a'], /root key file is not JSON/],
      [['--root-key', 'root.json', '--user-key', 'root.json', '--name', 'a'], /--user-key: this holds a private key/],
      [['--root-key', 'root.json', '--user-key', 'AAAA', '--name', 'a'], /--user-key: the key does not parse/],
      [['--root-key', 'root.json', '--user-key', key, '--name', ''], /--name: the name is empty/],
      [['--new-root', 'root.json'], /exists already/],
    ];
    for (const [args, message] of cases) {
      io.stderr.length = 0;
      expect(await runCli(args, io)).toBe(2);
      expect(io.stderr.join('')).toMatch(message);
    }
  });

  it('signIdentity refuses a root file whose public key is not its private key\'s', async () => {
    const io = memoryIo();
    await runCli(['--new-root', 'a.json'], io);
    await runCli(['--new-root', 'b.json'], io);
    const mixed = { ...JSON.parse(io.files.get('a.json')!), publicKey: JSON.parse(io.files.get('b.json')!).publicKey };
    const alice = await testPeer('alice');
    await expect(
      signIdentity({ rootKeyText: JSON.stringify(mixed), userKeyText: toBase64Url(alice.user.spki), name: 'alice', now: NOW }),
    ).rejects.toThrow(/do not belong together/);
  });
});
