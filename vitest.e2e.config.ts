import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/suites/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/runner/global-setup.ts'],
    // Two cores: one browser at a time keeps WebRTC timing honest.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
