import { describe, expect, it } from 'vitest';
import { parseServicePeerArgs, UsageError } from './service-config';

const base = ['--signaling', 'http://127.0.0.1:5173/peerjs', '--data', '/tmp/sp'];

describe('service peer command line', () => {
  it('reads the usual options and fills in the defaults', () => {
    const c = parseServicePeerArgs(base)!;
    expect(c.signaling.map((s) => s.url)).toEqual(['http://127.0.0.1:5173/peerjs']);
    expect(c).toMatchObject({ dataDir: '/tmp/sp', overlay: 'p2p.local', trustedRoot: null, statusPort: null, statusHost: '127.0.0.1', statusEverySeconds: 30, startFresh: false, maxLinks: 128, inMemory: false });
  });

  it('takes several signaling servers (repeated or comma-separated, duplicates once), --opt=value and every option', () => {
    const c = parseServicePeerArgs([
      '--signaling=http://a.test:1/peerjs,http://b.test:2/peerjs',
      '--signaling',
      'http://a.test:1/peerjs',
      '--data=rel/dir',
      '--overlay',
      'corp.example',
      '--trusted-root',
      'root.public.json',
      '--status-port',
      '0',
      '--status-every',
      '5',
      '--max-links',
      '64',
      '--start-fresh',
    ])!;
    expect(c.signaling.map((s) => s.host)).toEqual(['a.test', 'b.test']);
    expect(c).toMatchObject({ dataDir: 'rel/dir', overlay: 'corp.example', trustedRoot: 'root.public.json', statusPort: 0, statusEverySeconds: 5, maxLinks: 64, startFresh: true });
  });

  it('follows the node’s ICE servers beside the first signaling server unless told another URL or none', () => {
    expect(parseServicePeerArgs(base)!.iceServersUrl).toBe('http://127.0.0.1:5173/ice-servers');
    expect(parseServicePeerArgs([...base, '--ice-servers', 'https://node.example:8443/ice-servers'])!.iceServersUrl).toBe('https://node.example:8443/ice-servers');
    expect(parseServicePeerArgs([...base, '--ice-servers=none'])!.iceServersUrl).toBeNull();
  });

  it('returns null for --help', () => {
    expect(parseServicePeerArgs(['--help'])).toBeNull();
  });

  it.each([
    [[], /--signaling URL is needed/],
    [['--data', '/tmp/x'], /--signaling URL is needed/],
    [['--signaling', 'http://x.test/peerjs'], /--data DIR is needed/],
    [['--signaling', 'http://x.test/peerjs', '--data', '  '], /--data DIR is needed/],
    [['--signaling', 'not a url', '--data', 'd'], /--signaling: "not a url" is not a web address/],
    [['--signaling', 'ftp://x.test/', '--data', 'd'], /--signaling:/],
    [[...base, '--data', 'other'], /--data is given more than once/],
    [[...base, '--status-port', '70000'], /--status-port must be a whole number from 0 to 65535, not "70000"/],
    [[...base, '--status-port', '-1'], /--status-port needs a value|--status-port must be/],
    [[...base, '--status-port', '8e3'], /--status-port must be a whole number/],
    [[...base, '--status-every', 'often'], /--status-every must be a whole number/],
    [[...base, '--max-links', '2'], /--max-links must be a whole number from 8/],
    [[...base, '--overlay', 'Has Spaces'], /--overlay must be a domain-like name/],
    [[...base, '--start-fresh=yes'], /--start-fresh takes no value/],
    [[...base, '--trusted-root'], /--trusted-root needs a value/],
    [[...base, '--status-port', '--start-fresh'], /--status-port needs a value/],
    [[...base, '--dta', 'x'], /unknown option "--dta"/],
    [[...base, '--ice-servers', 'stun:203.0.113.10'], /--ice-servers must be an http:\/\/ or https:\/\/ URL, or none, not "stun:203.0.113.10"/],
    [[...base, '--ice-servers', 'not a url'], /--ice-servers must be an http/],
    [[...base, 'stray'], /unknown option "stray"/],
  ])('refuses %j with a sentence', (argv, message) => {
    expect(() => parseServicePeerArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseServicePeerArgs(argv as string[])).toThrow(message as RegExp);
  });

  it('reads the bootstrap endpoint’s flags and refuses what cannot work, in words', () => {
    expect(parseServicePeerArgs(base)!.bootstrap).toBeNull();
    expect(parseServicePeerArgs([...base, '--bootstrap-port', '0'])!.bootstrap).toEqual({ port: 0, host: '127.0.0.1', urls: [] });
    expect(
      parseServicePeerArgs([...base, '--bootstrap-port=9443', '--bootstrap-host', '0.0.0.0', '--bootstrap-url', 'https://sp.example/peerjs/', '--bootstrap-url', 'http://198.51.100.7:9443'])!.bootstrap,
    ).toEqual({ port: 9443, host: '0.0.0.0', urls: ['https://sp.example/peerjs', 'http://198.51.100.7:9443/peerjs'] });
    expect(() => parseServicePeerArgs([...base, '--bootstrap-port', '70000'])).toThrow(/--bootstrap-port must be a whole number from 0 to 65535/);
    expect(() => parseServicePeerArgs([...base, '--bootstrap-url', 'http://x/peerjs'])).toThrow(/need --bootstrap-port/);
    expect(() => parseServicePeerArgs([...base, '--bootstrap-port', '1', '--bootstrap-host', '::'])).toThrow(/say which one tabs should use/);
    expect(() => parseServicePeerArgs([...base, '--bootstrap-port', '1', '--bootstrap-url', 'ftp://x'])).toThrow(/--bootstrap-url: .*http/);
    const five = Array.from({ length: 5 }, (_, i) => ['--bootstrap-url', `http://h${i}/peerjs`]).flat();
    expect(() => parseServicePeerArgs([...base, '--bootstrap-port', '1', ...five])).toThrow(/at most 4/);
    expect(() => parseServicePeerArgs([...base, '--bootstrap-port', '1', '--bootstrap-port', '2'])).toThrow(UsageError);
  });
});
