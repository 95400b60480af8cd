/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS app on purpose */
// A client-only Temporal app from the packed tarballs (no @temporalio/worker installed), against a
// minimal WorkflowService on loopback speaking real gRPC: StartWorkflow must carry the trace.
const { startTelemetry } = require('@threadline/node');
const telemetry = startTelemetry({ http: false });
const { Client, Connection } = require('@temporalio/client');
const { createClientInterceptors } = require('@threadline/temporal');
const grpc = require('@grpc/grpc-js');
const { temporal } = require('@temporalio/proto');

const service = temporal.api.workflowservice.v1;
const replies = { GetSystemInfo: () => ({ capabilities: {} }), StartWorkflowExecution: () => ({ runId: 'run-1', started: true }) };
const headers = [];

function fakeWorkflowService() {
  const server = new grpc.Server();
  const definition = {};
  const implementation = {};
  for (const [method, reply] of Object.entries(replies)) {
    const [request, response] = [service[`${method}Request`], service[`${method}Response`]];
    definition[method] = {
      path: `/temporal.api.workflowservice.v1.WorkflowService/${method}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (m) => Buffer.from(request.encode(m).finish()),
      requestDeserialize: (b) => request.decode(b),
      responseSerialize: (m) => Buffer.from(response.encode(m).finish()),
      responseDeserialize: (b) => response.decode(b),
    };
    implementation[method] = (call, callback) => {
      if (call.request.header) headers.push(Object.keys(call.request.header.fields ?? {}));
      callback(null, response.fromObject(reply()));
    };
  }
  server.addService(definition, implementation);
  return server;
}

async function main() {
  const server = fakeWorkflowService();
  const port = await new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  const client = new Client({ connection, interceptors: createClientInterceptors() });
  await client.workflow.start('orderWorkflow', { taskQueue: 'orders', workflowId: 'order-1', args: [] });
  await connection.close();
  server.forceShutdown();
  await telemetry.shutdown();
  console.log(JSON.stringify({ headers }));
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
