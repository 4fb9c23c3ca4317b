// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The layers (DESIGN.md, Layers; README, Architecture): each app folder and
 * the app folders it may import. Anything not listed is refused, so a wrong
 * import (app/transport → ../sip, app/sip → ../permissions) fails `npm run lint`.
 * app/main.tsx, tests and e2e are outside the table.
 */
export const LAYERS = {
  common: [],
  identity: ['common'],
  overlay: ['identity', 'common'],
  transport: ['overlay', 'identity', 'common'],
  permissions: ['overlay', 'identity', 'common'],
  sip: ['overlay', 'identity', 'common'],
  mail: ['overlay', 'identity', 'common'],
  peer: ['transport', 'permissions', 'sip', 'mail', 'overlay', 'identity', 'common'],
  ui: ['peer', 'transport', 'permissions', 'sip', 'mail', 'overlay', 'identity', 'common'],
  dev: ['peer', 'transport', 'permissions', 'sip', 'mail', 'overlay', 'identity', 'common'],
  // A service peer's bootstrap endpoint is the signaling server on a port of its own (bootstrap-endpoint.ts).
  'service-peer': ['peer', 'transport', 'permissions', 'signaling-server', 'overlay', 'identity', 'common'],
  'signaling-server': ['identity', 'common'],
  'node-server': ['signaling-server', 'service-peer', 'common'],
  tools: ['permissions', 'overlay', 'identity', 'common'],
};
const FOLDERS = Object.keys(LAYERS);
const MODULES = FOLDERS.join('|');

/** A folder's public surface is its index.ts: no reaching into another folder's files. */
const deepImport = {
  // overlay/sim and each folder's testing/ are public surfaces of their own (their index.ts), for tests and benchmarks.
  regex: `^(\\.\\./)+(${MODULES})/(?!index(\\.ts)?$)(?!sim(/index(\\.ts)?)?$)(?!testing(/index(\\.ts)?)?$).+`,
  message: 'Import another folder only through its index.ts (DESIGN.md, Layers).',
};
/** An import of a testing/ surface, in esquery's regular-expression syntax. */
// esquery's /…/ literal cannot hold a slash, so \W stands for the path separator.
const testingSource = '/^\\.{1,2}\\W(.*\\W)?testing(\\W.*)?$/';
const reactImport = {
  group: ['react', 'react/*', 'react-dom', 'react-dom/*'],
  message: 'React stays in app/ui (STYLE.md, practice 9).',
};
const browserOnly = ['node:*', 'fs', 'path', 'os', 'crypto', 'events', 'buffer'];
/** Libraries a folder may not use, beyond the layer table. */
const LIBRARIES = {
  common: [{ group: ['peerjs', 'jssip', 'idb-keyval', ...browserOnly], message: 'app/common runs in browsers and Node; it needs no library.' }],
  identity: [{ group: ['peerjs', 'jssip', 'idb-keyval'], message: 'identity takes its storage and locks by injection.' }],
  overlay: [
    { group: ['peerjs', 'peerjs/*'], message: 'The overlay talks to peers only through its Transport.' },
    { group: ['jssip', 'jssip/*'], message: 'SIP lives in app/sip, above the overlay.' },
    { group: ['idb-keyval', 'idb-keyval/*'], message: 'The overlay persists through its key-value interface.' },
    { group: browserOnly, message: 'The overlay must run in browsers too.' },
  ],
  mail: [{ group: ['peerjs', 'jssip', 'idb-keyval', ...browserOnly.filter((m) => m !== 'events')], message: 'mail runs in browsers; storage and keys come by injection.' }],
};

/**
 * The rule for files `depth` folders below app/<folder>: `../` repeated
 * `depth` times reaches app/, so a name after it is another app folder (and
 * app/overlay's own transport.ts, one level up from a subfolder, is not app/transport).
 */
function layerRule(folder, depth) {
  const up = '\\.\\./'.repeat(depth);
  const allowed = new Set([folder, ...LAYERS[folder]]);
  const refused = FOLDERS.filter((f) => !allowed.has(f));
  const patterns = [deepImport, ...(LIBRARIES[folder] ?? [])];
  if (folder !== 'ui') patterns.push(reactImport);
  if (refused.length > 0) {
    patterns.push({
      regex: `^${up}(${refused.join('|')})(/.*)?$`,
      message: `app/${folder} may import only ${LAYERS[folder].length ? LAYERS[folder].map((f) => `app/${f}`).join(', ') : 'no other app folder'} (the layer table in eslint.config.js).`,
    });
  }
  const glob = `app/${folder}/${'*/'.repeat(depth - 1)}*.{ts,tsx}`;
  return { files: [glob], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'e2e/artifacts/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [deepImport, reactImport] }],
    },
  },
  ...FOLDERS.flatMap((folder) => [1, 2, 3, 4].map((depth) => layerRule(folder, depth))),
  {
    files: ['app/ui/**/*.{ts,tsx}', 'app/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['app/main.tsx'],
    // main.tsx starts the app: it renders app/ui's root (ui has no index.ts: nothing else imports it) and reaches the rest through index.ts.
    rules: { 'no-restricted-imports': ['error', { patterns: [{ ...deepImport, regex: `^\\./(${FOLDERS.filter((f) => f !== 'ui').join('|')})/(?!index(\\.ts)?$).+` }] }] },
  },
  // The overlay core is pure (STYLE.md, practice 1): it sees the world only
  // through its Transport, Clock and random source, and runs in Node and browsers alike.
  {
    files: ['app/overlay/**/*.ts'],
    languageOptions: { globals: { ...globals.es2021 } },
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'location', 'Buffer', 'process'].map(
          (name) => ({ name, message: 'The overlay is pure: inject what it needs.' }),
        ),
      ],
    },
  },
  // Test helpers are no part of a running peer: production code may not import a testing/ surface.
  // Only tests, other test helpers (testing/, overlay/sim) and e2e may.
  {
    files: ['app/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts', 'app/**/testing/**', 'app/overlay/sim/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].map((node) => ({
          selector: `${node}[source.value=${testingSource}]`,
          message: 'Production code may not import test helpers (a testing/ surface); tests, testing/ and overlay/sim may.',
        })),
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'app/mail/testing/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
