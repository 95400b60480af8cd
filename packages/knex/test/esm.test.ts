import { describeWithServices, runApp, SERVICES } from '@threadline/testing';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface AppSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
}

const describeWithPostgres = await describeWithServices(describe, SERVICES.postgres);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/**
 * knex 2 is installed under the npm alias `knex2`, but the module hook matches the package name
 * `knex`: a symlinked `node_modules/knex` (kept with --preserve-symlinks) gives the app knex 2 as
 * `knex`, the way a user on knex 2 has it. It sits inside the repo so knex 2's own deps resolve.
 */
function knex2AsKnex(entry: '' | 'knex.mjs' = ''): { env: Record<string, string> } {
  const real = dirname(createRequire(import.meta.url).resolve('knex2/package.json'));
  const base = fileURLToPath(new URL('./fixtures/knex2-app/node_modules/', import.meta.url));
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  symlinkSync(real, join(base, 'knex'), 'dir');
  return { env: { KNEX_MODULE: join(base, 'knex', entry), NODE_OPTIONS: '--preserve-symlinks' } };
}

function expectOneTrace(spans: AppSpan[]): void {
  const root = spans.find((s) => s.name === 'request');
  const tx = spans.find((s) => s.name === 'TRANSACTION');
  const selects = spans.filter((s) => s.name === 'SELECT');
  expect(root, JSON.stringify(spans)).toBeDefined();
  expect(tx?.parentSpanId).toBe(root?.spanId);
  expect(selects).toHaveLength(2);
  expect(selects.map((s) => s.parentSpanId).sort()).toEqual([root?.spanId, tx?.spanId].sort());
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  expect(selects[0]?.attributes['db.system.name']).toBe('postgresql');
  expect(JSON.stringify(spans)).not.toContain('esm-secret');
}

describeWithPostgres('apps outside the test runner (built package)', () => {
  it('ESM app with instrumentKnex', async () => {
    const run = await runApp(fixture('esm-explicit.mjs'));
    expect(run.code, run.stderr).toBe(0);
    expectOneTrace((run.result as { spans: AppSpan[] }).spans);
  });

  it.each(['knex 3', 'knex 2'])('ESM app with KnexInstrumentation patching %s', async (line) => {
    const run = await runApp(fixture('esm-instrumentation.mjs'), line === 'knex 2' ? knex2AsKnex('knex.mjs') : {});
    expect(run.code, run.stderr).toBe(0);
    expectOneTrace((run.result as { spans: AppSpan[] }).spans);
  });

  it.each(['knex 3', 'knex 2'])('CommonJS app with KnexInstrumentation patching %s', async (line) => {
    const run = await runApp(fixture('cjs-instrumentation.cjs'), line === 'knex 2' ? knex2AsKnex() : {});
    expect(run.code, run.stderr).toBe(0);
    expectOneTrace((run.result as { spans: AppSpan[] }).spans);
  });
});
