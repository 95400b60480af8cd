import type { MetricsCollector } from './collector.js';
import type { InstrumentationScopeLike } from './instrument.js';
import { NOOP_COLLECTOR } from './noop.js';

// Kept on globalThis so ESM and CommonJS copies of @threadline/core in one process share it.
const GLOBAL_KEY = Symbol.for('threadline.core.collector');
type GlobalSlot = { [GLOBAL_KEY]?: MetricsCollector };

export function getCollector(): MetricsCollector {
  return (globalThis as GlobalSlot)[GLOBAL_KEY] ?? NOOP_COLLECTOR;
}

/** Sets the process-wide collector (startTelemetry does this); `undefined` restores the no-op. */
export function setCollector(collector: MetricsCollector | undefined): void {
  if (collector) (globalThis as GlobalSlot)[GLOBAL_KEY] = collector;
  else delete (globalThis as GlobalSlot)[GLOBAL_KEY];
}

/**
 * Declares a plugin's instruments once per collector and caches them: calling the returned
 * function on the hot path costs one identity check while the collector stays the same. With
 * `scope` (the plugin's name and version) the instruments are exported under that scope.
 */
export function defineMetrics<T>(declare: (collector: MetricsCollector) => T, scope?: InstrumentationScopeLike): (collector?: MetricsCollector) => T {
  let cachedFor: MetricsCollector | undefined;
  let cached: T | undefined;
  return (collector = getCollector()) => {
    if (collector !== cachedFor || cached === undefined) {
      // A collector from another copy of core may predate withScope: then it keeps core's scope.
      cached = declare(scope && typeof collector.withScope === 'function' ? collector.withScope(scope) : collector);
      cachedFor = collector;
    }
    return cached;
  };
}
