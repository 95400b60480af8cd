import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';

const require = createRequire(import.meta.url);
const { temporal } = require('@temporalio/proto') as typeof import('@temporalio/proto');
const service = temporal.api.workflowservice.v1;

type Reply = Record<string, unknown> | { error: { code: grpc.status; details: string } };
type Handler = (request: Record<string, unknown>) => Reply;

interface MessageType {
  decode(buffer: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: Record<string, unknown>): unknown;
  toObject(message: unknown, options?: Record<string, unknown>): Record<string, unknown>;
}

/**
 * A WorkflowService on a loopback port speaking real gRPC + protobuf: the Temporal client's own
 * transport runs end to end, and every decoded request is kept for assertions.
 */
export class FakeTemporalServer {
  readonly requests: { method: string; request: Record<string, unknown> }[] = [];
  private readonly server = new grpc.Server();
  port = 0;

  constructor(handlers: Record<string, Handler>) {
    const all: Record<string, Handler> = { GetSystemInfo: () => ({ capabilities: {} }), ...handlers };
    const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(all)) {
      const requestType = (service as unknown as Record<string, MessageType>)[`${method}Request`];
      const responseType = (service as unknown as Record<string, MessageType>)[`${method}Response`];
      if (!requestType || !responseType) throw new Error(`no proto types for ${method}`);
      definition[method] = {
        path: `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (m: unknown) => Buffer.from(requestType.encode(m).finish()),
        requestDeserialize: (b: Buffer) => requestType.decode(b),
        responseSerialize: (m: unknown) => Buffer.from(responseType.encode(m).finish()),
        responseDeserialize: (b: Buffer) => responseType.decode(b),
      };
      implementation[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const request = requestType.toObject(call.request, { defaults: false });
        this.requests.push({ method, request });
        const reply = handler(request);
        if ('error' in reply) callback(reply.error as grpc.ServiceError, null);
        else callback(null, responseType.fromObject(reply));
      };
    }
    this.server.addService(definition as grpc.ServiceDefinition, implementation);
  }

  async start(): Promise<string> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return `127.0.0.1:${this.port}`;
  }

  request(method: string): Record<string, unknown> {
    const found = this.requests.filter((r) => r.method === method);
    if (found.length !== 1) throw new Error(`expected one ${method} request, got ${found.length}: [${this.requests.map((r) => r.method).join(', ')}]`);
    return (found[0] as { request: Record<string, unknown> }).request;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
