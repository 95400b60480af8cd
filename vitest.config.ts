import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'integration', 'packaging'],
    // Suites share Redis and Postgres: keep file parallelism modest on this 2-core machine.
    maxWorkers: 2,
  },
});
