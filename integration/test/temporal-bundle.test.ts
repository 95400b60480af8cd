import { bundleWorkflowCode } from '@temporalio/worker';
import { createWorkerTelemetry } from '@threadline/temporal/worker';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_DIR } from './support/processes.js';

// Runs without a server: the example app's workflows bundle with threadline's sandbox interceptors,
// exactly as its Temporal worker hands them to Worker.create.
describe('example app Temporal worker', () => {
  it('bundles the workflows together with the workflow-interceptor module', async () => {
    const telemetry = createWorkerTelemetry();
    const bundle = await bundleWorkflowCode({
      workflowsPath: join(APP_DIR, 'temporal', 'workflows.ts'),
      workflowInterceptorModules: telemetry.interceptors.workflowModules,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(bundle.code).toContain('notifyOrder');
    expect(bundle.code).toContain('_tracer-data');
  });
});
