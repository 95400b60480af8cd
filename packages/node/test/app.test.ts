import { runApp, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@threadline/testing';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('apps bootstrapped with startTelemetry (dist, child processes, real OTLP/HTTP export)', () => {
  let receiver: OtlpReceiver;
  let env: Record<string, string>;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  });
  afterAll(async () => {
    await receiver.close();
  });

  const ofService = (service: string) => receiver.spans().filter((s) => s.serviceName === service);
  const one = (spans: ReceivedSpan[], predicate: (s: ReceivedSpan) => boolean) => {
    const found = spans.filter(predicate);
    expect(found).toHaveLength(1);
    return found[0] as ReceivedSpan;
  };

  it('ESM app: the incoming request is the root SERVER span; the outgoing call and the downstream server are its descendants', async () => {
    const run = await runApp(join(fixtures, 'app.mjs'), { env });
    expect(run.stderr).toBe('');
    expect(run.result).toEqual({ body: 'proxied 200' });
    const spans = ofService('fixture-esm');
    expect(spans).toHaveLength(3);
    const root = one(spans, (s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/orders');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.name).toBe('GET');
    expect(root.attributes['http.request.method']).toBe('GET');
    const client = one(spans, (s) => s.kind === 'CLIENT');
    expect(client.parentSpanId).toBe(root.spanId);
    const downstream = one(spans, (s) => s.kind === 'SERVER' && s.attributes['url.path'] === '/downstream');
    expect(downstream.parentSpanId).toBe(client.spanId);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  });

  it('CommonJS app: http server span with the app span as its child', async () => {
    const run = await runApp(join(fixtures, 'app.cjs'), { env });
    expect(run.result).toEqual({ status: 200 });
    const spans = ofService('fixture-cjs');
    const server = one(spans, (s) => s.kind === 'SERVER');
    expect(server.parentSpanId).toBeUndefined();
    const handler = one(spans, (s) => s.name === 'handle order');
    expect(handler.parentSpanId).toBe(server.spanId);
    expect(handler.traceId).toBe(server.traceId);
  });

  it('flushOnSignals: SIGTERM flushes the queued spans, then the signal ends the process as it would have', async () => {
    const before = ofService('fixture-esm').length;
    const run = await runApp(join(fixtures, 'app.mjs'), { env: { ...env, APP_EXIT: 'signal', OTEL_BSP_SCHEDULE_DELAY: '600000' } });
    expect(run.code).toBeNull(); // killed by the re-raised SIGTERM, not a normal exit
    expect(run.result).toEqual({ body: 'proxied 200' });
    expect(ofService('fixture-esm').length - before).toBe(3);
  });
});
