import { createHash } from 'node:crypto';
import type { Attributes, Span } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { keyCount, type OpSpec } from './ops.js';
import { KV_ATTR } from './semconv.js';

export interface SpanAttributeOptions {
  readonly captureKeyHash: boolean;
  readonly keyHashSalt: string;
}

/**
 * The start attributes: only those semconv lists as sampling-relevant for DB spans (the SDK
 * validates start attributes twice), the same for every call of one op on one store.
 */
export function samplingAttributes(op: OpSpec, system: string): Attributes {
  return { [ATTR.DB_SYSTEM_NAME]: system, [ATTR.DB_OPERATION_NAME]: op.name };
}

/**
 * The call's other attributes, set after start (validated once; the SDK's setAttributes loops over
 * setAttribute, so direct calls skip an object). Never a key or value: at most the opt-in salted
 * hash of a single key.
 */
export function setCallAttributes(span: Span, op: OpSpec, namespace: string | undefined, firstArg: unknown, options: SpanAttributeOptions): void {
  if (namespace !== undefined) span.setAttribute(ATTR.DB_COLLECTION_NAME, namespace);
  // Multi-key calls (getMany, ...) are one operation, not a semconv batch: no db.operation.batch.size.
  if (op.batch) span.setAttribute(KV_ATTR.KEY_COUNT, keyCount(op, firstArg));
  else if (options.captureKeyHash && typeof firstArg === 'string') span.setAttribute(KV_ATTR.KEY_HASH, hashKey(firstArg, options.keyHashSalt));
}

/** SHA-256 of salt + key, first 16 hex characters: enough to correlate, useless to read. */
export function hashKey(key: string, salt: string): string {
  return createHash('sha256').update(salt).update(key).digest('hex').slice(0, 16);
}
