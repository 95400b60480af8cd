import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'pg-cdc',
    setupFiles: ['@threadline/testing/conformance-setup'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One private wal_level=logical cluster for the whole suite (started by @threadline/testing in test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
  },
});
