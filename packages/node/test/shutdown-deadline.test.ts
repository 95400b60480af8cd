import { trace } from '@opentelemetry/api';
import { findPoint } from '@threadline/core';
import { freePort } from '@threadline/testing';
import { expect, it } from 'vitest';
import { resolveConfig, startTelemetry } from '../src/index.js';
import { captureWarnings, nextWarnings } from './support/warnings.js';


it('defaults to 5 s; THREADLINE_SHUTDOWN_TIMEOUT_MS and the option set it', () => {
  expect(resolveConfig({}, {}).shutdownTimeoutMillis).toBe(5000);
  expect(resolveConfig({}, { THREADLINE_SHUTDOWN_TIMEOUT_MS: '1500' }).shutdownTimeoutMillis).toBe(1500);
  expect(resolveConfig({ shutdownTimeoutMillis: 200 }, { THREADLINE_SHUTDOWN_TIMEOUT_MS: '1500' }).shutdownTimeoutMillis).toBe(200);
  expect(() => resolveConfig({}, { THREADLINE_SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(/invalid shutdownTimeoutMillis "soon" \(from THREADLINE_SHUTDOWN_TIMEOUT_MS\)/);
});

it('with the OTLP endpoint refusing connections, shutdown() resolves by its deadline and reports what it could not send', async () => {
  const capture = captureWarnings();
  const handle = startTelemetry({
    serviceName: 'shutdown-deadline',
    tracesExporter: 'otlp',
    metricsExporter: 'none',
    otlpProtocol: 'http/json',
    otlpEndpoint: `http://127.0.0.1:${await freePort()}`,
    otlpTimeoutMillis: 1500,
    http: false,
    env: { THREADLINE_SHUTDOWN_TIMEOUT_MS: '800' },
  });
  try {
    for (let i = 0; i < 25; i++) trace.getTracer('app').startSpan(`op ${i}`).end();
    const started = performance.now();
    const report = await handle.shutdown();
    const took = performance.now() - started;
    // The exporter's own retries run to its timeout (10 s by default); the deadline cuts that short.
    expect(took).toBeGreaterThanOrEqual(790);
    expect(took).toBeLessThan(2000);
    expect(report).toEqual({ timedOut: true, unsentSpans: 25 });
    expect(findPoint(handle.collector, 'threadline.telemetry.dropped', { 'threadline.telemetry.drop_reason': 'shutdown_timeout' })?.value).toBe(25);
    await nextWarnings();
    const shutdownWarnings = capture.warnings.filter((w) => w.code === 'THREADLINE_SHUTDOWN_TIMEOUT');
    expect(shutdownWarnings).toHaveLength(1);
    expect(shutdownWarnings[0]!.message).toMatch(/stopped waiting after 800 ms; not sent: 25 span\(s\) for the otlp exporter.*THREADLINE_SHUTDOWN_TIMEOUT_MS/);
    // The abandoned export fails later, at its own timeout: those spans are already reported.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(capture.warnings.map((w) => w.code)).toEqual(['THREADLINE_SHUTDOWN_TIMEOUT']);
  } finally {
    capture.restore();
  }
});
