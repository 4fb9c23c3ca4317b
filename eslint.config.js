// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const MODULES = 'identity|overlay|transport|permissions|sip|mail|ui|node';

/** A folder's public surface is its index.ts: no reaching into another folder's files. */
const deepImport = {
  // overlay/sim is a public surface of its own (its index.ts), for tests and benchmarks.
  regex: `^(\\.\\./)+(${MODULES})/(?!index(\\.ts)?$)(?!sim(/index(\\.ts)?)?$).+`,
  message: 'Import another folder only through its index.ts (DESIGN.md, Layers).',
};
const uiImport = {
  regex: `^(\\.\\./)+ui(/.*)?$`,
  message: 'Nothing imports ui: dependencies point ui → sip, mail, permissions → overlay → identity.',
};
const reactImport = {
  group: ['react', 'react/*', 'react-dom', 'react-dom/*'],
  message: 'React stays in app/ui (STYLE.md, practice 9).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'e2e/artifacts/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [deepImport, uiImport, reactImport] }],
    },
  },
  {
    files: ['app/ui/**/*.{ts,tsx}', 'app/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: [deepImport] }],
    },
  },
  // The overlay core is pure (STYLE.md, practice 1): it sees the world only
  // through its Transport, Clock and random source, and runs in Node and browsers alike.
  // `../transport` means app/overlay/transport.ts from a subfolder but app/transport
  // from app/overlay itself, so the layer rule is written per depth.
  ...[
    { files: ['app/overlay/*.ts'], up: '\\.\\./' },
    { files: ['app/overlay/*/*.ts'], up: '\\.\\./\\.\\./' },
    { files: ['app/overlay/*/*/*.ts'], up: '\\.\\./\\.\\./\\.\\./' },
  ].map(({ files, up }) => ({
    files,
    languageOptions: { globals: { ...globals.es2021 } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deepImport,
            uiImport,
            reactImport,
            { group: ['peerjs', 'peerjs/*'], message: 'The overlay talks to peers only through its Transport.' },
            { group: ['jssip', 'jssip/*'], message: 'SIP lives in app/sip, above the overlay.' },
            { group: ['idb-keyval', 'idb-keyval/*'], message: 'The overlay persists through its key-value interface.' },
            { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'events', 'buffer'], message: 'The overlay must run in browsers too.' },
            { regex: `^${up}(transport|permissions|sip|mail|node)(/.*)?$`, message: 'The overlay depends only on identity.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'location', 'Buffer', 'process'].map(
          (name) => ({ name, message: 'The overlay is pure: inject what it needs.' }),
        ),
      ],
    },
  })),
  {
    files: ['app/identity/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            uiImport,
            reactImport,
            { regex: '^(\\.\\./)+(overlay|transport|permissions|sip|mail|node)(/.*)?$', message: 'identity is the bottom layer.' },
            { group: ['peerjs', 'jssip', 'idb-keyval'], message: 'identity takes its storage and locks by injection.' },
          ],
        },
      ],
    },
  },
  // Video mail sits beside sip above the overlay: it sees only overlay and identity, and runs in browsers.
  {
    files: ['app/mail/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            deepImport,
            uiImport,
            reactImport,
            { regex: '^(\\.\\./)+(transport|permissions|sip|node)(/.*)?$', message: 'mail depends only on overlay and identity.' },
            { group: ['peerjs', 'jssip', 'idb-keyval', 'node:*', 'fs', 'path', 'os', 'crypto', 'buffer'], message: 'mail runs in browsers; storage and keys come by injection.' },
          ],
        },
      ],
    },
  },
  // The dev/test handle reads the running app's services. They live in app/ui today (no index.ts there),
  // so this folder may import them; it imports nothing else from ui and is installed by main.tsx only.
  {
    files: ['app/dev/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [reactImport] }] },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'app/mail/testing/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
