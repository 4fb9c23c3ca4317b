import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/suites/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['e2e/runner/global-setup.ts'],
    // Two cores: one browser at a time keeps WebRTC timing honest.
    fileParallelism: false,
    testTimeout: 120_000,
    // A browser test on two loaded cores can miss a bound once for reasons
    // outside the app (a starved tab, a late timer). One retry keeps CI
    // honest about real failures (a test that fails twice fails the run)
    // while the printed report still marks every retried test.
    retry: 1,
    hookTimeout: 120_000,
  },
});
