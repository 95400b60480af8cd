import { trace } from '@opentelemetry/api';
import { attachTelemetry, telemetryOf } from './attach.js';
import type { KeyvLike } from './keyv-shape.js';
import { resolveOptions } from './options.js';
import type { KeyvTelemetryOptions } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { wrapMethods } from './wrap.js';

/**
 * Instruments one Keyv instance (5.x or 6.x) without module patching: its calls get metrics and,
 * per `spans`, CLIENT spans. Calling it again replaces the options. Returns the same instance.
 */
export function instrumentKeyv<T extends object>(keyv: T, options: KeyvTelemetryOptions = {}): T {
  const resolved = resolveOptions(options);
  if (keyv === null || typeof keyv !== 'object' || typeof (keyv as { get?: unknown }).get !== 'function') {
    throw new TypeError('@threadline/keyv: instrumentKeyv expects a Keyv instance (new Keyv(...))');
  }
  const tracer = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
  attachTelemetry(keyv as unknown as KeyvLike, resolved, () => tracer);
  wrapMethods(keyv as unknown as Record<string, unknown>, (instance) => telemetryOf(instance));
  return keyv;
}
