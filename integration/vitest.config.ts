import { defineProject } from 'vitest/config';

// test/e2e needs the docker-compose stack (Temporal dev server): it runs in `npm run e2e` only.
export default defineProject({
  test: { name: 'integration', setupFiles: ['@threadline/testing/conformance-setup'], include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'], testTimeout: 90_000, hookTimeout: 120_000 },
});
