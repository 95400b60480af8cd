import { Server, ServerCredentials, type Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { decodeTraceRequest } from '@threadline/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/index.js';

interface ReceivedExport {
  metadata: Metadata;
  spanNames: string[];
}

const passThrough = (value: Buffer) => value;

/** The OTLP trace service over real gRPC, bytes decoded by the testing package's protobuf reader. */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  },
};

function spanNamesOf(body: Buffer): string[] {
  const request = decodeTraceRequest(body) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name: string }> }> }> };
  return (request.resourceSpans ?? []).flatMap((r) => (r.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => span.name)));
}

describe('OTLP/gRPC export (real exporter to an in-process gRPC receiver)', () => {
  let server: Server;
  let port: number;
  const received: ReceivedExport[] = [];

  beforeEach(async () => {
    received.length = 0;
    server = new Server();
    server.addService(TRACE_SERVICE, {
      Export: (call: { metadata: Metadata; request: Buffer }, callback: (error: null, response: Buffer) => void) => {
        received.push({ metadata: call.metadata, spanNames: spanNamesOf(call.request) });
        callback(null, Buffer.alloc(0));
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
    );
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  it('sends explicit otlpHeaders as gRPC metadata, merged over the environment headers', async () => {
    const handle = startTelemetry({
      serviceName: 'grpc-headers',
      tracesExporter: 'otlp',
      metricsExporter: 'none',
      otlpProtocol: 'grpc',
      otlpEndpoint: `http://127.0.0.1:${port}`,
      otlpHeaders: { Authorization: 'Bearer explicit', 'x-tenant': 'from-option' },
      http: false,
      env: { OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=from-env,x-region=eu' },
    });
    trace.getTracer('grpc').startSpan('over grpc').end();
    await handle.shutdown();

    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call!.spanNames).toEqual(['over grpc']);
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
        otlpEndpoint: `http://127.0.0.1:${port}`,
        otlpHeaders: { 'bad key': 'x' },
        http: false,
        env: {},
      }),
    ).toThrow(/invalid otlpHeaders key "bad key" for otlpProtocol grpc/);
  });
});
