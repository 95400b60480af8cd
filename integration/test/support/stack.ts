import { isPortOpen, requireService, SERVICES, startPrivatePostgres, uniqueName, type PrivatePostgres } from '@threadline/testing';
import { startApp, type AppProcess } from './processes.js';
import type { TraceBackend } from './backends.js';

export interface Stack {
  readonly apiUrl: string;
  readonly queue: string;
  readonly slot: string;
  readonly processes: readonly AppProcess[];
  stop(): Promise<void>;
}

/**
 * Starts the example app as four processes (downstream, worker, api, cdc) sending telemetry to
 * `backend`. Postgres: DATABASE_URL when given (make otel-e2e: the compose service), else a private
 * wal_level=logical cluster. Redis: the shared one (REDIS_HOST / REDIS_PORT).
 */
/** Extra environment per app process, over what the backend sets. */
export type AppEnv = Partial<Record<'downstream' | 'worker' | 'server' | 'cdc', Record<string, string>>>;

export async function startStack(backend: TraceBackend, appEnv: AppEnv = {}): Promise<Stack> {
  const { name, host, port, start } = SERVICES.redis;
  // The single trace runs through the queue: without Redis there is nothing to prove, CI or not.
  if (!(await requireService(SERVICES.redis))) throw new Error(`${name} is required on ${host}:${port}. Start it: ${start}`);
  let privatePg: PrivatePostgres | undefined;
  const databaseUrl = process.env.DATABASE_URL ?? (privatePg = await startPrivatePostgres()).connectionString;
  const queue = uniqueName('orders');
  const slot = uniqueName('orders_cdc');
  const jaeger = backend.name === 'jaeger';
  const common = {
    ...backend.exporterEnv,
    DATABASE_URL: databaseUrl,
    REDIS_HOST: SERVICES.redis.host,
    REDIS_PORT: String(SERVICES.redis.port),
    ORDERS_QUEUE: queue,
    CDC_SLOT: slot,
    CDC_PUBLICATION: `${slot}_pub`,
  };
  // With Jaeger, Prometheus scrapes the api (9464) and the worker (9465); the others keep their metrics.
  const metricsEnv = (port: number | undefined): Record<string, string> => (jaeger ? (port ? { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } : { OTEL_METRICS_EXPORTER: 'none' }) : {});
  const processes: AppProcess[] = [];
  try {
    const downstream = await startApp('downstream', { ...common, ...metricsEnv(undefined), OTEL_SERVICE_NAME: 'threadline-downstream', ...appEnv.downstream });
    processes.push(downstream);
    const downstreamUrl = `http://127.0.0.1:${downstream.ready.port as number}`;
    processes.push(await startApp('worker', { ...common, ...metricsEnv(9465), OTEL_SERVICE_NAME: 'threadline-worker', DOWNSTREAM_URL: downstreamUrl, ...appEnv.worker }));
    const api = await startApp('server', { ...common, ...metricsEnv(9464), OTEL_SERVICE_NAME: 'threadline-api', ...appEnv.server });
    processes.push(api);
    processes.push(await startApp('cdc', { ...common, ...metricsEnv(undefined), OTEL_SERVICE_NAME: 'threadline-cdc', ...appEnv.cdc }));
    return {
      apiUrl: `http://127.0.0.1:${api.ready.port as number}`,
      queue,
      slot,
      processes,
      async stop() {
        await Promise.all(processes.map((p) => p.stop()));
        await privatePg?.stop();
      },
    };
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    await privatePg?.stop();
    throw error;
  }
}

export async function temporalReachable(): Promise<{ reachable: boolean; address: string }> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const [host, port] = address.split(':');
  return { reachable: await isPortOpen(host as string, Number(port ?? 7233), 1000), address };
}
