import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import { NAME_REGISTRY } from '@threadline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTelemetry, conformance, semconvIndex, setupTelemetry, type RecordedMetric, type RecordedSpan } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

const span = (attributes: Record<string, unknown>, extra: Partial<RecordedSpan> = {}): RecordedSpan => ({
  scope: '@threadline/bullmq',
  name: 'process orders',
  kind: 'CONSUMER',
  attributes: { 'messaging.system.name': 'bullmq', 'messaging.operation.name': 'process', ...attributes },
  events: [],
  source: 'test',
  ...extra,
});
const metric = (name: string, instrument: RecordedMetric['instrument'], unit: string, attributes: Record<string, unknown>): RecordedMetric => ({ name, instrument, unit, attributes, source: 'test' });
const problems = (input: { spans?: RecordedSpan[]; metrics?: RecordedMetric[]; optIns?: string[] }) =>
  checkTelemetry({ spans: input.spans ?? [], metrics: input.metrics ?? [], optIns: new Set(input.optIns ?? []) }).map((v) => `${v.name}: ${v.problem}`);

describe('conformance check', () => {
  afterEach(() => conformance.reset());

  it('reads the installed semantic-conventions: stability, deprecations, enum values', () => {
    const index = semconvIndex();
    expect(index.version).toMatch(/^1\./);
    expect(index.attributes.get('db.system.name')?.stability).toBe('stable');
    expect(index.attributes.get('messaging.system.name')?.stability).toBe('incubating');
    expect(index.attributes.get('messaging.system')?.deprecated).toMatch(/messaging\.system\.name/);
    expect(index.metrics.get('db.client.connection.max')?.deprecated).toMatch(/db\.client\.connection\.limit/);
    expect(index.values.get('db.system.name')?.has('mariadb')).toBe(true);
  });

  it('passes conforming telemetry', () => {
    expect(problems({ spans: [span({ 'messaging.destination.name': 'orders', 'threadline.bullmq.job.name': 'a' })] })).toEqual([]);
  });

  it('reports every kind of violation', () => {
    const found = problems({
      spans: [
        span({ 'messaging.bullmq.job.name': 'a', 'messaging.system': 'bullmq', 'kv.result': 'hit' }),
        span({}, { attributes: { 'messaging.operation.name': 'process' } }),
        span({ 'threadline.bullmq.job.nam': 'typo' }),
        span({}, { scope: '@threadline/fetch', name: 'GET', kind: 'CLIENT', attributes: { 'http.request.method': 'GET', 'server.address': 'h', 'server.port': 1, 'url.full': 'http://h:1/', 'url.scheme': 'http' } }),
        span({}, { scope: '@threadline/knex', name: 'SELECT', kind: 'CLIENT', attributes: { 'db.system.name': 'other' } }),
        span({}, { scope: '@threadline/pg-cdc', name: 'receive slot_a' }),
      ],
      metrics: [
        metric('db.client.connection.count', 'gauge', '{connection}', { 'db.client.connection.pool.name': 'p', 'db.client.connection.state': 'used' }),
        metric('db.client.connection.max', 'updowncounter', '{connection}', { 'db.client.connection.pool.name': 'p' }),
        metric('db.client.operation.duration', 'histogram', 'ms', { 'db.system.name': 'postgresql' }),
        metric('kv.operations', 'counter', '{operation}', {}),
      ],
    });
    const expected = [
      'messaging.bullmq.job.name: invented name inside the semconv namespace "messaging"',
      'messaging.system: deprecated in semantic-conventions',
      'kv.result: custom name outside the owned namespace',
      'messaging.system.name: Required attribute missing',
      'threadline.bullmq.job.nam: threadline name missing from the registry',
      'url.scheme: Opt-In attribute emitted without the test opting in',
      'db.system.name: value "other" is neither a semconv value',
      'receive slot_a: span name matches no registry pattern',
      'db.client.connection.count: instrument gauge, semconv / the registry says updowncounter',
      'db.client.connection.max: deprecated in semantic-conventions',
      'db.client.operation.duration: unit "ms", semconv / the registry says "s"',
      'kv.operations: custom name outside the owned namespace',
    ];
    for (const problem of expected) expect(found.some((f) => f.startsWith(problem)), `${problem}\nin:\n${found.join('\n')}`).toBe(true);
  });

  it('an Opt-In attribute passes once the test opts in', () => {
    const fetchSpan = span({}, { scope: '@threadline/fetch', name: 'GET', kind: 'CLIENT', attributes: { 'http.request.method': 'GET', 'server.address': 'h', 'server.port': 1, 'url.full': 'http://h:1/', 'url.scheme': 'http' } });
    expect(problems({ spans: [fetchSpan], optIns: ['url.scheme'] })).toEqual([]);
  });

  it('sees what goes through the harness, and fails on a planted name', () => {
    const harness = setupTelemetry();
    trace.getTracer('@threadline/knex').startSpan('SELECT users', { kind: 2, attributes: { 'db.system.name': 'postgresql', 'db.transaction.outcome': 'commit' } }).end();
    harness.collector.counter({ name: 'db.client.operations', labelKeys: ['db.system.name'] }).bind({ 'db.system.name': 'postgresql' }).add(1);
    expect(() => conformance.assert()).toThrow(/db\.transaction\.outcome[^\n]*invented name inside the semconv namespace "db"[\s\S]*db\.client\.operations/);
    // The planted counter lives in the collector: drop it so this file's own check passes.
    harness.reset();
    conformance.reset();
  });

  it('a suite wired with the setup file fails on a planted name, with the table', async () => {
    const run = promisify(execFile)(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', join(here, 'fixtures', 'planted')], { cwd: root, env: { ...process.env, CI: 'true' } });
    const failure = (await run.then(() => undefined, (error: unknown) => error)) as { code?: number; stdout?: string; stderr?: string } | undefined;
    expect(failure?.code).toBe(1);
    const output = `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`;
    expect(output).toContain('threadline conformance: 1 violation(s)');
    expect(output).toMatch(/\| span @threadline\/bullmq "send orders" \(harness\) \| `messaging\.bullmq\.job\.name` \| invented name inside the semconv namespace "messaging"/);
  }, 60_000);

  it('every package and the integration suite run the check (setupFiles in each vitest config)', async () => {
    const { readFile } = await import('node:fs/promises');
    const configs = [...NAME_REGISTRY.map((entry) => entry.package.replace('@threadline/', 'packages/')), 'packages/node', 'packages/testing', 'integration'];
    for (const dir of configs) {
      const text = await readFile(join(root, dir, 'vitest.config.ts'), 'utf8');
      expect(text, dir).toContain("setupFiles: ['@threadline/testing/conformance-setup']");
    }
  });
});
