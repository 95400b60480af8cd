import { runApp } from '@threadline/testing';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { cluster, describeWithCluster } from './support/db.js';

const info = cluster();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describeWithCluster('pg-cdc in built ESM and CommonJS apps', () => {
  it('an ESM app: the CDC span continues the writer trace', async () => {
    const run = await runApp(fixture('app.mjs'), { env: { PG_URL: info!.url } });
    expect(run.code, run.stderr).toBe(0);
    const result = run.result as { handled: number[]; rootTraceId: string; rootSpanId: string; cdc: { name: string; kind: number; traceId: string; parentSpanId: string } };
    expect(result.handled).toEqual([1]);
    expect(result.cdc.name).toMatch(/^process esm_s_/);
    expect(result.cdc.kind).toBe(4);
    expect(result.cdc.traceId).toBe(result.rootTraceId);
    expect(result.cdc.parentSpanId).toBe(result.rootSpanId);
  });

  it('a CommonJS app: the same through require()', async () => {
    const run = await runApp(fixture('app.cjs'), { env: { PG_URL: info!.url } });
    expect(run.code, run.stderr).toBe(0);
    const result = run.result as { rootTraceId: string; rootSpanId: string; cdc: { traceId: string; parentSpanId: string } };
    expect(result.cdc.traceId).toBe(result.rootTraceId);
    expect(result.cdc.parentSpanId).toBe(result.rootSpanId);
  });
});
