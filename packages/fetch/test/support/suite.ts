import { trace } from '@opentelemetry/api';
import { setupTelemetry, type ReadableSpan, type TelemetryHarness } from '@threadline/testing';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { FetchInstrumentation } from '../../src/index.js';
import { startServer, type TestServer } from './server.js';

/** What a test file that traces requests to the local test server with default options shares. */
export interface FetchSuite {
  readonly harness: TelemetryHarness;
  /** The local server (started in beforeAll; `seen` emptied before each test). */
  readonly server: TestServer;
  /** Enabled with default options for the whole file. */
  readonly instrumentation: FetchInstrumentation;
  /** Runs `fn` under an active INTERNAL span named `name` and returns that span once ended. */
  underParent(name: string, fn: () => Promise<unknown>): Promise<ReadableSpan>;
}

/**
 * Registers the file's lifecycle: the harness (spans and metrics reset before each test), the
 * test server, and a FetchInstrumentation with default options, disabled and closed after all.
 */
export function useFetchSuite(): FetchSuite {
  const harness = setupTelemetry();
  const tracer = trace.getTracer('test');
  let server: TestServer | undefined;
  let instrumentation: FetchInstrumentation | undefined;

  beforeAll(async () => {
    server = await startServer();
    instrumentation = new FetchInstrumentation();
  });
  afterAll(async () => {
    instrumentation?.disable();
    await server?.close();
  });
  beforeEach(() => {
    harness.reset();
    if (server) server.seen.length = 0;
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFetchSuite: used before its beforeAll ran');
    return value;
  };
  return {
    harness,
    get server() {
      return started(server);
    },
    get instrumentation() {
      return started(instrumentation);
    },
    async underParent(name, fn) {
      await tracer.startActiveSpan(name, async (span) => {
        try {
          await fn();
        } finally {
          span.end();
        }
      });
      return harness.span(name);
    },
  };
}
