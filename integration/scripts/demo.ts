/**
 * make demo: runs the example app (api, worker, downstream, CDC consumer) with the file exporter,
 * sends a few orders, then prints the resulting traces with the `threadline traces` CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp, type AppProcess } from '../test/support/processes.js';
import { provideServices } from './services.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '.threadline', 'demo');
const started = Date.now();
const log = (text: string) => console.log(`[demo +${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const services = await provideServices();
  services.notes.forEach(log);
  const processes: AppProcess[] = [];
  try {
    const env = {
      OTEL_TRACES_EXPORTER: 'file',
      OTEL_METRICS_EXPORTER: 'file',
      OTEL_LOGS_EXPORTER: 'file',
      THREADLINE_FILE_DIRECTORY: outDir,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      DATABASE_URL: services.databaseUrl,
      REDIS_HOST: services.redisHost,
      REDIS_PORT: String(services.redisPort),
      ORDERS_QUEUE: `demo_orders_${process.pid}`,
      CDC_SLOT: `demo_cdc_${process.pid}`,
      CDC_PUBLICATION: `demo_pub_${process.pid}`,
    };
    const downstream = await startApp('downstream', { ...env, OTEL_SERVICE_NAME: 'downstream' });
    processes.push(downstream);
    processes.push(await startApp('worker', { ...env, OTEL_SERVICE_NAME: 'orders-worker', DOWNSTREAM_URL: `http://127.0.0.1:${downstream.ready.port as number}` }));
    const api = await startApp('server', { ...env, OTEL_SERVICE_NAME: 'orders-api' });
    processes.push(api);
    processes.push(await startApp('cdc', { ...env, OTEL_SERVICE_NAME: 'orders-cdc', CDC_DROP_SLOT: '1' }));
    log('app running: api, worker, downstream, cdc (4 processes)');

    for (const [customerId, item] of [['c-1', 'book'], ['c-2', 'lamp'], ['c-1', 'pen']] as const) {
      const response = await fetch(`http://127.0.0.1:${api.ready.port as number}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId, item, quantity: 1 }),
      });
      const body = (await response.json()) as { id: string; traceId: string };
      log(`POST /orders → ${response.status} order ${body.id}, trace ${body.traceId}`);
    }
    // Let the worker and the CDC consumer finish; SIGTERM then flushes every process.
    await new Promise((resolve) => setTimeout(resolve, 2500));
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await services.stop();
  }
  log(`telemetry written to ${outDir}\n`);
  const cli = createRequire(import.meta.url).resolve('@threadline/node/package.json').replace(/package\.json$/, 'dist/cli.js');
  const view = spawnSync(process.execPath, [cli, 'traces', outDir, '--limit', '3'], { stdio: 'inherit' });
  spawnSync(process.execPath, [cli, 'metrics', outDir], { stdio: 'inherit' });
  log(`done (npx threadline traces ${outDir} prints them again)`);
  process.exitCode = view.status ?? 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
