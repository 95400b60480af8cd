import { SpanKind } from '@opentelemetry/api';
import { runApp } from '@threadline/testing';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface AppSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  status: number | null;
}

describe('ESM and CommonJS apps', () => {
  it.each(['esm-app.mjs', 'cjs-app.cjs'])('%s traces global fetch through the built package', async (file) => {
    const app = fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url));
    const run = await runApp(app);
    expect(run.code, run.stderr).toBe(0);
    const result = run.result as { body: string; received: string[]; spans: AppSpan[] };
    expect(result.body).toBe('ok');
    const client = result.spans.find((s) => s.name === 'GET');
    const handle = result.spans.find((s) => s.name === 'handle');
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(client?.status).toBe(200);
    expect(client?.parentSpanId).toBe(handle?.spanId);
    expect(result.received).toEqual([`00-${client?.traceId}-${client?.spanId}-01`]);
  });
});
