import { Server, ServerCredentials, type Metadata, type ServiceDefinition } from '@grpc/grpc-js';
import { decodeMetricsRequest, decodeTraceRequest } from '@threadline/testing';

type Json = Record<string, unknown>;

export interface ReceivedGrpcExport {
  readonly signal: 'traces' | 'metrics';
  readonly metadata: Metadata;
  /** The request as OTLP-JSON (the testing package's protobuf reader). */
  readonly document: Json;
}

export interface OtlpGrpcReceiver {
  /** e.g. http://127.0.0.1:43117, for `otlpEndpoint` with `otlpProtocol: 'grpc'`. */
  readonly endpoint: string;
  readonly received: ReceivedGrpcExport[];
  close(): Promise<void>;
}

const passThrough = (value: Buffer) => value;

function exportService(path: string): ServiceDefinition {
  return {
    Export: { path, requestStream: false, responseStream: false, requestSerialize: passThrough, requestDeserialize: passThrough, responseSerialize: passThrough, responseDeserialize: passThrough },
  };
}

const SERVICES = {
  traces: { definition: exportService('/opentelemetry.proto.collector.trace.v1.TraceService/Export'), decode: decodeTraceRequest },
  metrics: { definition: exportService('/opentelemetry.proto.collector.metrics.v1.MetricsService/Export'), decode: decodeMetricsRequest },
} as const;

/** The OTLP trace and metrics services over real gRPC, answering every export with success. */
export async function startOtlpGrpcReceiver(): Promise<OtlpGrpcReceiver> {
  const received: ReceivedGrpcExport[] = [];
  const server = new Server();
  for (const [signal, service] of Object.entries(SERVICES) as [ReceivedGrpcExport['signal'], (typeof SERVICES)['traces']][]) {
    server.addService(service.definition, {
      Export: (call: { metadata: Metadata; request: Buffer }, callback: (error: null, response: Buffer) => void) => {
        received.push({ signal, metadata: call.metadata, document: service.decode(call.request) as Json });
        callback(null, Buffer.alloc(0));
      },
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort))),
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
