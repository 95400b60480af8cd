import { diag, trace } from '@opentelemetry/api';
import { connectionFacts } from './attributes.js';
import { validateConfig } from './config.js';
import { attachKnex, type KnexLike } from './hook.js';
import { KnexTelemetry, type TelemetrySource } from './telemetry.js';
import type { KnexInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** Returned by `instrumentKnex`: detaches the instrumentation from that knex instance. */
export interface KnexInstrumentationHandle {
  uninstrument(): void;
}

// Which clients are instrumented, kept off the client itself (nothing the app can list or copy);
// on globalThis so the ESM and CommonJS builds in one process share it.
const REGISTRY = Symbol.for('threadline.knex.attachments');
const attached: WeakMap<object, KnexInstrumentationHandle> = ((globalThis as { [REGISTRY]?: WeakMap<object, KnexInstrumentationHandle> })[REGISTRY] ??= new WeakMap());

/**
 * Instruments one knex instance through its own query events; no module patching, so it works in
 * any module system and bundle. Instrumenting the same instance twice returns the first handle.
 */
export function instrumentKnex(knex: unknown, options?: KnexInstrumentationConfig): KnexInstrumentationHandle {
  const config = validateConfig(options);
  const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
  return attach(knex, { tracer, config, enabled: config.enabled !== false });
}

/** Shared by instrumentKnex and KnexInstrumentation (which passes a live source). */
export function attach(knex: unknown, source: TelemetrySource): KnexInstrumentationHandle {
  if (!isKnex(knex)) {
    throw new TypeError('@threadline/knex: instrumentKnex expects a knex instance (the function returned by knex({ client, connection }))');
  }
  const client = knex.client;
  const existing = attached.get(client);
  if (existing) {
    diag.debug('@threadline/knex: this knex instance is already instrumented; keeping the first instrumentation');
    return existing;
  }
  const telemetry = new KnexTelemetry(source, connectionFacts(knex.client, source.config.dbSystemName));
  const detach = attachKnex(knex, telemetry, { poolMetrics: source.config.poolMetrics !== false, sqlCommenter: source.config.sqlCommenter === true });
  const handle: KnexInstrumentationHandle = {
    uninstrument() {
      if (attached.get(client) !== handle) return;
      attached.delete(client);
      detach();
    },
  };
  attached.set(client, handle);
  return handle;
}

function isKnex(value: unknown): value is KnexLike {
  if (typeof value !== 'function') return false;
  const k = value as unknown as Partial<KnexLike> & { on?: unknown };
  return typeof k.on === 'function' && typeof k.client === 'object' && k.client !== null;
}
