import { trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';
import { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from './support/otlp-grpc-receiver.js';

type Json = Record<string, unknown>;

function spanNamesOf(document: Json): string[] {
  const request = document as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name: string }> }> }> };
  return (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => span.name)));
}

describe('OTLP/gRPC export (real exporter to an in-process gRPC receiver)', () => {
  let receiver: OtlpGrpcReceiver;

  beforeEach(async () => {
    receiver = await startOtlpGrpcReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('sends explicit otlpHeaders as gRPC metadata, merged over the environment headers', async () => {
    const handle = startTelemetry({
      serviceName: 'grpc-headers',
      tracesExporter: 'otlp',
      metricsExporter: 'none',
      otlpProtocol: 'grpc',
      otlpEndpoint: receiver.endpoint,
      otlpHeaders: { Authorization: 'Bearer explicit', 'x-tenant': 'from-option' },
      http: false,
      env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from-env,x-region=eu' },
    });
    trace.getTracer('grpc').startSpan('over grpc').end();
    await handle.shutdown();

    expect(receiver.received).toHaveLength(1);
    const [call] = receiver.received;
    expect(spanNamesOf(call!.document)).toEqual(['over grpc']);
    expect(call!.metadata.get('authorization')).toEqual(['Bearer explicit']);
    expect(call!.metadata.get('x-tenant')).toEqual(['from-option']);
    expect(call!.metadata.get('x-region')).toEqual(['eu']);
  });

  it('a header key gRPC cannot carry fails at startup and names the option', () => {
    expect(() =>
      startTelemetry({
        tracesExporter: 'otlp',
        metricsExporter: 'none',
        otlpProtocol: 'grpc',
        otlpEndpoint: receiver.endpoint,
        otlpHeaders: { 'bad key': 'x' },
        http: false,
        env: {},
      }),
    ).toThrow(/invalid otlpHeaders key "bad key" for otlpProtocol grpc/);
  });
});
