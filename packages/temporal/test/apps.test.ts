import { fileURLToPath } from 'node:url';
import { SpanKind } from '@opentelemetry/api';
import { runApp } from '@threadline/testing';
import { describe, expect, it } from 'vitest';

interface AppSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

describe('ESM and CommonJS apps using the built package', () => {
  it('client → RunWorkflow → StartActivity → RunActivity is one trace, with the dist workflow module in the sandbox', async () => {
    const run = await runApp(fileURLToPath(new URL('./fixtures/esm-app.mjs', import.meta.url)), { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const result = run.result as { workflowModule: string; clientInterceptors: number; spans: AppSpan[] };
    expect(result.workflowModule).toMatch(/packages\/temporal\/dist\/workflow\.js$/);
    expect(result.clientInterceptors).toBe(1);
    const byName = (name: string) => {
      const found = result.spans.filter((s) => s.name === name);
      expect(found, `spans: ${result.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
      return found[0] as AppSpan;
    };
    const client = byName('StartWorkflow:greet');
    const workflow = byName('RunWorkflow:greet');
    const start = byName('StartActivity:hello');
    const activity = byName('RunActivity:hello');
    expect(workflow.parentSpanId).toBe(client.spanId);
    expect(start.parentSpanId).toBe(workflow.spanId);
    expect(activity.parentSpanId).toBe(start.spanId);
    expect(new Set([client, workflow, start, activity].map((s) => s.traceId)).size).toBe(1);
    expect([workflow.kind, start.kind, activity.kind]).toEqual([SpanKind.SERVER, SpanKind.CLIENT, SpanKind.SERVER]);
  });

  it('CommonJS: require() resolves the same workflow module and the activity span continues the header trace', async () => {
    const run = await runApp(fileURLToPath(new URL('./fixtures/cjs-app.cjs', import.meta.url)));
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toEqual({
      result: 'hello Ada',
      workerLoadedByPackage: false,
      workflowModule: expect.stringMatching(/packages\/temporal\/dist\/workflow\.js$/),
      span: { name: 'RunActivity:hello', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' },
    });
  });
});
