import type { Tracer } from '@opentelemetry/api';
import { TelemetryBoundary } from '@threadline/core';
import type { KeyvLike } from './keyv-shape.js';
import type { ResolvedOptions } from './options.js';
import { KeyvTelemetry } from './telemetry.js';
import { TELEMETRY } from './wrap.js';

type WithTelemetry = KeyvLike & { [TELEMETRY]?: KeyvTelemetry };

/** The telemetry attached to this Keyv instance, if any. */
export function telemetryOf(keyv: KeyvLike): KeyvTelemetry | undefined {
  return keyv === null || keyv === undefined ? undefined : (keyv as WithTelemetry)[TELEMETRY];
}

/** Attaches (or replaces) one instance's telemetry; a non-extensible object is left alone. */
export function attachTelemetry(keyv: KeyvLike, options: ResolvedOptions, tracer: () => Tracer): KeyvTelemetry | undefined {
  const telemetry = new KeyvTelemetry(keyv, options, tracer, new TelemetryBoundary('@threadline/keyv'));
  try {
    Object.defineProperty(keyv, TELEMETRY, { value: telemetry, writable: true, configurable: true, enumerable: false });
    return telemetry;
  } catch {
    return undefined;
  }
}
