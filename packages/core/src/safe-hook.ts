import { diag } from '@opentelemetry/api';
import { countDropped } from './self-metrics.js';

/**
 * Wraps a user hook so it can never fail the app: an exception (or rejected promise) is counted,
 * reported to OTel diag once per hook, and swallowed. `undefined` in → a no-op out.
 */
export function safeHook<A extends unknown[]>(
  hook: ((...args: A) => unknown) | undefined,
  hookName = 'hook',
): (...args: A) => void {
  if (typeof hook !== 'function') return () => undefined;
  let reported = false;
  const report = (error: unknown) => {
    countDropped('hook_error');
    if (!reported) {
      reported = true;
      diag.warn(`threadline: ${hookName} threw and was ignored (reported once)`, error);
    }
  };
  return (...args: A) => {
    try {
      const result = hook(...args);
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, report);
      }
    } catch (error) {
      report(error);
    }
  };
}

/**
 * The boundary around a plugin's own telemetry code: the first internal fault is reported once and
 * turns the plugin's telemetry off, so a bug of ours costs telemetry, never the app's call.
 */
export class TelemetryBoundary {
  private failed = false;

  constructor(private readonly pluginName: string) {}

  get disabled(): boolean {
    return this.failed;
  }

  run<T>(fn: () => T, fallback: T): T {
    if (this.failed) return fallback;
    try {
      return fn();
    } catch (error) {
      this.fail(error);
      return fallback;
    }
  }

  fail(error: unknown): void {
    countDropped('internal_error');
    if (!this.failed) {
      this.failed = true;
      diag.error(`threadline: ${this.pluginName} telemetry failed and disabled itself; the app is unaffected`, error);
    }
  }
}

const INSTALLED = Symbol.for('threadline.core.installed');

/** True the first time a key is seen in this process (shared by ESM and CommonJS copies). */
export function installOnce(key: string): boolean {
  const slot = globalThis as { [INSTALLED]?: Set<string> };
  const seen = (slot[INSTALLED] ??= new Set());
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}
