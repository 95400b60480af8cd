import { existsSync } from 'node:fs';
import { findPrometheusBin } from './prometheus.js';
import { temporalBinary } from './private-services.js';
import type { ToolSpec } from './services.js';

/** The server programs suites start privately, for `describeWithServices` beside `SERVICES`. */
export const TOOLS = {
  prometheus: { name: 'Prometheus', install: 'apt-get install -y prometheus (or set PROMETHEUS_BIN)', find: findPrometheusBin },
  temporal: {
    name: 'The Temporal CLI (its dev server)',
    install: 'bash scripts/e2e-build.sh (or set THREADLINE_TEMPORAL_BIN)',
    find: () => {
      const bin = temporalBinary();
      return existsSync(bin) ? bin : undefined;
    },
  },
} as const satisfies Record<string, ToolSpec>;
