import { SpanStatusCode, trace } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { assertNoMarkers, expectNoMarkers, findMarkers, setupTelemetry } from '../src/index.js';

const harness = setupTelemetry();
beforeEach(() => harness.reset());

const MARKER = 'PRIVMARK7q';

describe('privacy scan', () => {
  it('passes a clean run', async () => {
    trace.getTracer('t').startSpan('clean', { attributes: { 'db.namespace': 'app' } }).end();
    await expectNoMarkers(harness, [MARKER]);
  });

  it.each([
    ['an attribute', () => trace.getTracer('t').startSpan('s', { attributes: { 'db.query.text': `select '${MARKER}'` } }).end(), /span.*attributes\["db\.query\.text"\]/],
    ['a span name', () => trace.getTracer('t').startSpan(`get ${MARKER}`).end(), /spans\[0\]\.name/],
    [
      'a status message',
      () => {
        const span = trace.getTracer('t').startSpan('s');
        span.setStatus({ code: SpanStatusCode.ERROR, message: `no key ${MARKER}` });
        span.end();
      },
      /status\.message/,
    ],
    [
      'an exception event',
      () => {
        const span = trace.getTracer('t').startSpan('s');
        span.recordException(new Error(`bad ${MARKER}`));
        span.end();
      },
      /events\[0\]\.attributes\["exception\.message"\]/,
    ],
    [
      'a link',
      () => {
        const other = trace.getTracer('t').startSpan('other');
        trace.getTracer('t').startSpan('s', { links: [{ context: other.spanContext(), attributes: { note: MARKER } }] }).end();
        other.end();
      },
      /links\[0\]\.attributes\.note/,
    ],
  ])('finds a planted marker in %s and says where', async (_what, plant, where) => {
    plant();
    const failure = await expectNoMarkers(harness, [MARKER]).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain(MARKER);
    expect(failure?.message).toMatch(where);
  });

  it('finds a marker in a metric label', async () => {
    harness.collector.counter({ name: 'test.privacy.count', unit: '{call}', labelKeys: ['kv.namespace'] }).bind({ 'kv.namespace': MARKER }).add(1);
    await expect(expectNoMarkers(harness, [MARKER])).rejects.toThrow(/metrics\[0\]\.points\[0\]\["kv\.namespace"\]/);
  });

  it('scans raw bytes (OTLP protobuf, file exporter lines) and refuses short markers', () => {
    const bytes = Buffer.concat([Buffer.from([0x0a, 0x10]), Buffer.from(`x${MARKER}y`), Buffer.from([0xff])]);
    expect(findMarkers(bytes, [MARKER])).toEqual([{ marker: MARKER, where: '$' }]);
    expect(() => assertNoMarkers(bytes, [MARKER], 'export')).toThrow(/export holds 1 private marker/);
    expect(() => assertNoMarkers('abc', ['ab'])).toThrow(/at least 6 characters/);
  });
});
