import { temporalInstrumentation } from './temporal-telemetry';
import { createWorkerTelemetry, installTemporalMetricsBridge } from '@threadline/temporal/worker';
import { NativeConnection, Worker } from '@temporalio/worker';
import { join } from 'node:path';
import * as activities from './temporal/activities';
import { announceReady, config } from './config';

/** The Temporal worker of the example app (runs where TEMPORAL_ADDRESS reaches a server). */
async function main(): Promise<void> {
  // Before any connection: the Rust core's own metrics (task latencies, workflow completions)
  // reach the app's exporters only through the Runtime this installs.
  installTemporalMetricsBridge({ intervalMs: 250 });
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const telemetry = createWorkerTelemetry(temporalInstrumentation);
  const worker = await Worker.create({
    connection,
    taskQueue: config.temporalTaskQueue,
    workflowsPath: join(__dirname, 'temporal', 'workflows.ts'),
    activities,
    interceptors: telemetry.interceptors,
    sinks: telemetry.sinks,
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  announceReady({ taskQueue: config.temporalTaskQueue });
  await running;
  await connection.close();
}

void main();
