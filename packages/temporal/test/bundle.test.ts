// Prebuilt workflow bundles (bundleWorkflowCode + workflowBundle) with TemporalPlugin, offline:
// Worker.runReplayHistory runs the bundle's workflow code and interceptors in the real sandbox.
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { setupTelemetry } from '@threadline/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleRegistersInterceptors } from '../src/bundle-check.js';
import { TemporalPlugin } from '../src/worker-entry.js';
import { WORKFLOW_MODULE_MARKER } from '../src/workflow/marker.js';
import { COMPOSED_MODULE, PARENT, STEPPED_PATH, WORKFLOWS_PATH, providerWithIds, traceparent } from './helpers.js';
import { buildHistory } from './history.js';

const harness = setupTelemetry();
const logger = new DefaultLogger('ERROR');
const MISSING = /built without the threadline workflow interceptors[\s\S]*bundleWorkflowCode\(\{ workflowsPath, plugins: \[plugin\] \}\)/;
let plugin: TemporalPlugin;
let withPlugin: WorkflowBundleWithSourceMap;
let composed: WorkflowBundleWithSourceMap;
let withoutInterceptors: WorkflowBundleWithSourceMap;
let importsWithSpanOnly: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  Runtime.install({ logger });
  plugin = new TemporalPlugin({ tracerProvider: providerWithIds(harness), exportDuringReplay: true });
  [withPlugin, composed, withoutInterceptors, importsWithSpanOnly] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, plugins: [plugin], logger }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [COMPOSED_MODULE], logger }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger }),
    // Its workflows import withSpan from the threadline module, yet nothing registers the interceptors.
    bundleWorkflowCode({ workflowsPath: STEPPED_PATH, logger }),
  ]);
}, 120_000);
beforeEach(() => harness.reset());

const greetHistory = () =>
  buildHistory({ workflowType: 'greet', input: 'Ada', activityResult: 'hello Ada', outcome: { result: 'hello Ada' }, startHeader: { traceparent: traceparent(PARENT.traceId, PARENT.spanId) } });

async function replayWith(workflowBundle: WorkerOptionsBundle): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle, plugins: [plugin] }, greetHistory(), 'order-bundle');
}
type WorkerOptionsBundle = Parameters<typeof Worker.runReplayHistory>[0]['workflowBundle'];

describe('TemporalPlugin with a prebuilt workflowBundle', () => {
  it('bundleWorkflowCode({ plugins: [plugin] }) bundles the interceptors: workflow spans continue the client trace', async () => {
    expect(bundleRegistersInterceptors(withPlugin.code)).toBe(true);
    await replayWith(withPlugin);
    const run = harness.span('RunWorkflow:greet');
    expect(run.kind).toBe(SpanKind.SERVER);
    expect(run.spanContext().traceId).toBe(PARENT.traceId);
    expect(run.parentSpanContext?.spanId).toBe(PARENT.spanId);
    expect(harness.span('StartActivity:hello').parentSpanContext?.spanId).toBe(run.spanContext().spanId);
  });

  it('an interceptor module of the app that composes ours counts as registered', async () => {
    expect(bundleRegistersInterceptors(composed.code)).toBe(true);
    await replayWith(composed);
    expect(harness.span('RunWorkflow:greet').spanContext().traceId).toBe(PARENT.traceId);
  });

  it('a bundle without them fails Worker creation, naming the fix (inline code, a code file, and Worker.create)', async () => {
    expect(bundleRegistersInterceptors(withoutInterceptors.code)).toBe(false);
    expect(bundleRegistersInterceptors(importsWithSpanOnly.code)).toBe(false);
    expect(importsWithSpanOnly.code.includes(WORKFLOW_MODULE_MARKER)).toBe(true);
    await expect(replayWith(withoutInterceptors)).rejects.toThrow(MISSING);
    await expect(replayWith(importsWithSpanOnly)).rejects.toThrow(MISSING);
    const codePath = join(await mkdtemp(join(tmpdir(), 'threadline-bundle-')), 'bundle.js');
    await writeFile(codePath, withoutInterceptors.code);
    await expect(replayWith({ codePath })).rejects.toThrow(MISSING);
    await expect(Worker.create({ taskQueue: 'never-polled', workflowBundle: withoutInterceptors, plugins: [plugin] })).rejects.toThrow(MISSING);
    expect(harness.spans()).toHaveLength(0);
  });

  it('configureBundler adds the module once, keeping the app’s own', () => {
    const once = plugin.configureBundler({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [COMPOSED_MODULE] });
    expect(once.workflowInterceptorModules?.[0]).toBe(COMPOSED_MODULE);
    expect(once.workflowInterceptorModules).toHaveLength(2);
    expect(plugin.configureBundler(once)).toBe(once);
  });

  it('a bundle laid out otherwise is judged by the marker alone (never rejects a bundle that may work)', () => {
    expect(bundleRegistersInterceptors(`module.exports = "${WORKFLOW_MODULE_MARKER}"`)).toBe(true);
    expect(bundleRegistersInterceptors('module.exports = {}')).toBe(false);
  });
});
