import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { countDropped } from './self-metrics.js';

export type Carrier = Record<string, string>;

/** Limits that keep a hostile carrier from costing memory or CPU. */
export const CARRIER_LIMITS = { maxKeys: 32, maxKeyLength: 128, maxValueLength: 4096, maxJsonLength: 16384 } as const;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Writes the given (default: active) context into a fresh plain-object carrier via the GLOBAL propagator. */
export function injectContext(ctx: Context = context.active(), carrier: Carrier = {}): Carrier {
  try {
    propagation.inject(ctx, carrier);
  } catch {
    countDropped('inject_error');
  }
  return carrier;
}

/**
 * Reads a context out of an untrusted carrier via the GLOBAL propagator. Wrong types, oversized
 * values, `__proto__` keys or throwing getters give `base` (default: an empty root context); never throws.
 */
export function extractContext(carrier: unknown, base: Context = ROOT_CONTEXT): Context {
  const clean = sanitizeCarrier(carrier);
  if (!clean) return base;
  try {
    return propagation.extract(base, clean);
  } catch {
    countDropped('bad_carrier');
    return base;
  }
}

/** Parses a JSON-string carrier (BullMQ metadata, CDC messages) with the same guards. */
export function parseJsonCarrier(text: unknown): Carrier | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  if (text.length > CARRIER_LIMITS.maxJsonLength) {
    countDropped('bad_carrier');
    return undefined;
  }
  try {
    return sanitizeCarrier(JSON.parse(text));
  } catch {
    countDropped('bad_carrier');
    return undefined;
  }
}

export function sanitizeCarrier(carrier: unknown): Carrier | undefined {
  if (carrier === null || typeof carrier !== 'object' || Array.isArray(carrier)) return undefined;
  try {
    const keys = Object.keys(carrier);
    if (keys.length > CARRIER_LIMITS.maxKeys) {
      countDropped('bad_carrier');
      return undefined;
    }
    const clean: Carrier = Object.create(null) as Carrier;
    let kept = 0;
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key) || key.length > CARRIER_LIMITS.maxKeyLength) continue;
      const value: unknown = (carrier as Record<string, unknown>)[key];
      if (typeof value !== 'string' || value.length > CARRIER_LIMITS.maxValueLength) continue;
      clean[key] = value;
      kept++;
    }
    return kept > 0 ? clean : undefined;
  } catch {
    countDropped('bad_carrier');
    return undefined;
  }
}
