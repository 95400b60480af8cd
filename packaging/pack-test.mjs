// Packaging test: packs every package, lints each tarball (publint, @arethetypeswrong/cli), installs
// the tarballs into a scratch app outside the monorepo and runs it as CommonJS, as ESM started with
// the register entry, as a Postgres CDC app on a private logical cluster, and through tsc --strict
// (node16 and bundler); a client-only Temporal app starts a workflow against a minimal gRPC
// WorkflowService on loopback (a worker needs a real Temporal server, which cannot run here).
// Needs Redis, PostgreSQL and the Postgres server binaries.
// Prints "packaging: N passed, M failed"; exits 1 on any failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = join(root, 'packaging', 'apps');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = [];

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${String(error.message ?? error).split('\n').join('\n     ')}`);
  }
}

function run(command, args, options = {}) {
  const out = spawnSync(command, args, { encoding: 'utf8', timeout: 180_000, ...options, env: { ...process.env, ...options.env } });
  if (out.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${out.status}\n${out.stdout}\n${out.stderr}`.slice(0, 6000));
  return out;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Spans and metric scopes the file exporter wrote: [{ name, kind, scope, version, traceId, spanId, parentSpanId }]. */
function readTelemetry(directory) {
  const lines = (file) => {
    try {
      return readFileSync(join(directory, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    } catch {
      return [];
    }
  };
  const spans = lines('traces.jsonl').flatMap((doc) =>
    doc.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, scope: ss.scope.name, version: ss.scope.version })))),
  );
  const metricScopes = new Map();
  for (const doc of lines('metrics.jsonl')) {
    for (const sm of doc.resourceMetrics.flatMap((rm) => rm.scopeMetrics)) metricScopes.set(sm.scope.name, sm.scope.version);
  }
  return { spans, metricScopes };
}

const work = mkdtempSync(join(tmpdir(), 'threadline-pack-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);
// Published packages only: a private workspace (the Keyv compliance runner) is never packed.
const packages = readdirSync(join(root, 'packages'))
  .map((name) => JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')))
  .filter((manifest) => manifest.private !== true);
const version = Object.fromEntries(packages.map((p) => [p.name, p.version]));

await check('npm pack every package', () => {
  for (const p of packages) execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs, '-w', p.name], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  assert(readdirSync(tarballs).length === packages.length, `expected ${packages.length} tarballs`);
});
const files = readdirSync(tarballs).map((file) => join(tarballs, file));
for (const file of files) {
  await check(`publint ${file.split('/').pop()}`, () => run(bin('publint'), ['run', file]));
  await check(`attw ${file.split('/').pop()}`, () => run(bin('attw'), [file, '--format', 'table-flipped', '--no-color', '--no-emoji']));
}

await check('install the tarballs into a scratch app (client-only Temporal: no @temporalio/worker)', () => {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }));
  for (const file of readdirSync(apps)) copyFileSync(join(apps, file), join(app, file));
  copyFileSync(join(apps, 'types.ts'), join(app, 'types.mts'));
  copyFileSync(join(apps, 'types.ts'), join(app, 'types.cts'));
  const libraries = ['@opentelemetry/api@1.10.0', 'bullmq@6.7.0', 'ioredis@5', 'knex@3.3.0', 'pg@8', 'keyv@6.1.0', '@temporalio/client@1.24.0', '@temporalio/proto@1.24.0', '@grpc/grpc-js@1', '@temporalio/workflow@1.24.0', 'pg-logical-replication@2.5.0', 'typescript@5.9.3', '@types/node@22'];
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files, ...libraries], { cwd: app });
  assert(spawnSync('node', ['-e', "require.resolve('@temporalio/worker')"], { cwd: app }).status !== 0, '@temporalio/worker is installed; the client-only check would prove nothing');
});

function expectOneRequestThroughEveryPlugin(directory, queue) {
  const { spans, metricScopes } = readTelemetry(directory);
  const names = spans.map((s) => `${s.scope} ${s.name}`);
  const byScope = (scope) => spans.filter((s) => s.scope === scope);
  for (const plugin of ['@threadline/bullmq', '@threadline/knex', '@threadline/keyv', '@threadline/fetch']) {
    assert(byScope(plugin).length > 0, `no ${plugin} span in ${JSON.stringify(names)}`);
    assert(byScope(plugin).every((s) => s.version === version[plugin]), `${plugin} spans carry scope version ${byScope(plugin)[0].version}, package.json says ${version[plugin]}`);
  }
  const send = spans.find((s) => s.name === `send ${queue}`);
  const processed = spans.find((s) => s.name === `process ${queue}`);
  assert(send && processed && processed.parentSpanId === send.spanId, `send → process not linked: ${JSON.stringify(names)}`);
  const traces = new Set(spans.filter((s) => s.scope.startsWith('@threadline/') || s.scope.includes('http')).map((s) => s.traceId));
  assert(traces.size === 1, `one request became ${traces.size} traces: ${JSON.stringify(names)}`);
  for (const plugin of ['@threadline/bullmq', '@threadline/fetch']) {
    assert(metricScopes.get(plugin) === version[plugin], `metrics of ${plugin} not under its own scope and version (scopes: ${JSON.stringify([...metricScopes])})`);
  }
}

for (const [label, entry, nodeOptions] of [
  ['CommonJS app (startTelemetry in code)', 'app.cjs', ''],
  ['ESM app started with --import @threadline/node/register', 'app.mjs', '--import @threadline/node/register'],
]) {
  await check(`${label}: one request through every plugin, spans and metrics arrive`, () => {
    const directory = join(work, entry);
    const queue = `pack-${entry.replace('.', '-')}-${process.pid}`;
    const out = run(process.execPath, [entry], { cwd: app, env: { NODE_OPTIONS: nodeOptions, QUEUE: queue, THREADLINE_FILE_DIRECTORY: directory, OTEL_SERVICE_NAME: 'scratch' } });
    assert(!out.stderr.includes('ThreadlineWarning'), `warnings: ${out.stderr}`);
    expectOneRequestThroughEveryPlugin(directory, queue);
    const viewer = run(join(app, 'node_modules', '.bin', 'threadline'), ['traces', directory], { cwd: app });
    assert(viewer.stdout.includes(`send ${queue}`), `npx threadline traces printed:\n${viewer.stdout}`);
  });
}

// Errors inside third-party declarations (e.g. @temporalio/common's use of `ms`) are the library's;
// only errors in the app or in our packages' declarations fail the check.
await check('client-only Temporal app: StartWorkflow span, trace header sent to the server', () => {
  const directory = join(work, 'temporal');
  const out = run(process.execPath, ['temporal.cjs'], { cwd: app, env: { THREADLINE_FILE_DIRECTORY: directory, OTEL_METRICS_EXPORTER: 'none' } });
  const { spans } = readTelemetry(directory);
  const start = spans.find((s) => s.name === 'StartWorkflow:orderWorkflow');
  assert(start?.scope === '@threadline/temporal' && start.version === version['@threadline/temporal'], `no temporal span with its scope version: ${JSON.stringify(spans.map((s) => s.name))}`);
  const { headers } = JSON.parse(out.stdout.trim().split('\n').pop());
  assert(headers.some((keys) => keys.includes('_tracer-data')), `StartWorkflowExecution carried no _tracer-data header: ${JSON.stringify(headers)}`);
});

await check('Postgres CDC app: the write trace continues in the consumer span', async () => {
  const { startPrivatePostgres } = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));
  const cluster = await startPrivatePostgres({ wal_level: 'logical' });
  try {
    const directory = join(work, 'cdc');
    run(process.execPath, ['cdc.cjs'], { cwd: app, env: { PG_URL: cluster.connectionString, THREADLINE_FILE_DIRECTORY: directory, OTEL_METRICS_EXPORTER: 'none' } });
    const { spans } = readTelemetry(directory);
    const write = spans.find((s) => s.name === 'write order');
    const consumed = spans.find((s) => s.name === 'process pack_slot');
    assert(consumed?.scope === '@threadline/pg-cdc' && consumed.version === version['@threadline/pg-cdc'], `no pg-cdc span with its scope version: ${JSON.stringify(spans.map((s) => s.name))}`);
    assert(consumed.parentSpanId === write?.spanId && consumed.traceId === write?.traceId, 'the consumer span does not continue the write trace');
  } finally {
    await cluster.stop();
  }
});

for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
  await check(`tsc --strict -p ${config}`, () => {
    const out = spawnSync(join(app, 'node_modules', '.bin', 'tsc'), ['-p', config, '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
    const errors = out.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    const ours = errors.filter((line) => line.startsWith('types.') || line.startsWith('node_modules/@threadline/'));
    const theirs = errors.filter((line) => !ours.includes(line));
    if (theirs.length > 0) console.log(`     (${theirs.length} error(s) in third-party declarations ignored, e.g. ${theirs[0]})`);
    assert(ours.length === 0 && (out.status === 0 || theirs.length > 0), ours.join('\n') || out.stderr);
  });
}

const failed = results.filter((r) => !r.ok).length;
if (failed === 0) rmSync(work, { recursive: true, force: true });
else console.log(`scratch files kept in ${work}`);
console.log(`packaging: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
