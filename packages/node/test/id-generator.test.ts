import { trace } from '@opentelemetry/api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';

describe('idGenerator option', () => {
  it('gives the tracer provider the ids the generator chooses', async () => {
    let spans = 0;
    const handle = startTelemetry({
      tracesExporter: 'file',
      fileDirectory: mkdtempSync(join(tmpdir(), 'tl-ids-')),
      metricsExporter: 'none',
      http: false,
      env: {},
      idGenerator: {
        generateTraceId: () => 'a'.repeat(32),
        generateSpanId: () => (++spans).toString(16).padStart(16, '0'),
      },
    });
    try {
      const span = trace.getTracer('id-test').startSpan('one');
      expect(span.spanContext().traceId).toBe('a'.repeat(32));
      expect(span.spanContext().spanId).toBe('0000000000000001');
      span.end();
    } finally {
      await handle.shutdown();
    }
  });
});
