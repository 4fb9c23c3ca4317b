/**
 * The layer table in eslint.config.js is enforced: a wrong import fails
 * `npm run lint`. Each case lints a file that does not exist on disk (ESLint
 * takes the path for its rules and the text as given), so nothing is written.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The no-restricted-imports messages ESLint gives for `code` as if it were the file at `path`. */
async function importErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layers, as lint enforces them', () => {
  it.each([
    ['app/transport/probe.ts', "export * from '../sip';", 'app/transport may import only'],
    ['app/sip/probe.ts', "export * from '../permissions';", 'app/sip may import only'],
    ['app/overlay/probe.ts', "export * from '../transport';", 'app/overlay may import only'],
    ['app/overlay/storage/probe.ts', "export * from '../../peer';", 'app/overlay may import only'],
    ['app/identity/probe.ts', "export * from '../overlay';", 'app/identity may import only'],
    ['app/common/probe.ts', "export * from '../identity';", 'app/common may import only'],
    ['app/mail/probe.ts', "export * from '../sip';", 'app/mail may import only'],
    ['app/peer/probe.ts', "export * from '../ui/app';", 'app/peer may import only'],
    ['app/permissions/probe.ts', "export * from '../peer';", 'app/permissions may import only'],
    ['app/transport/probe.ts', "export * from '../overlay/node';", 'only through its index.ts'],
  ])('%s: %s is refused', async (path, code, words) => {
    const errors = await importErrors(path, code);
    expect(errors.some((m) => m.includes(words)), errors.join(' | ') || 'no error').toBe(true);
  });

  it.each([
    ['app/transport/probe.ts', "export * from '../overlay';"],
    ['app/sip/probe.ts', "export * from '../common';"],
    ['app/peer/probe.ts', "export * from '../sip';"],
    ['app/ui/probe.ts', "export * from '../peer';"],
    // From a subfolder of the overlay, ../transport is the overlay's own transport.ts, not app/transport.
    ['app/overlay/storage/probe.ts', "export * from '../transport';"],
  ])('%s: %s is allowed', async (path, code) => {
    expect(await importErrors(path, code)).toEqual([]);
  });
});
