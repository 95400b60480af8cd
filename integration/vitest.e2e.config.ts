import { defineProject } from 'vitest/config';

/** `npm run e2e` (make otel-e2e): every integration suite, including those that need the compose stack. */
export default defineProject({
  test: { name: 'integration-e2e', setupFiles: ['@threadline/testing/conformance-setup'], include: ['test/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 120_000 },
});
