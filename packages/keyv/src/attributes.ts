import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '@threadline/core';
import { keyCount, type OpSpec } from './ops.js';
import { KV_ATTR } from './semconv.js';

export interface SpanAttributeOptions {
  readonly captureKeyHash: boolean;
  readonly keyHashSalt: string;
}

/** Span start attributes. Never a key or value: at most the opt-in salted hash of a single key. */
export function startAttributes(
  op: OpSpec,
  system: string,
  namespace: string | undefined,
  firstArg: unknown,
  options: SpanAttributeOptions,
): Attributes {
  const attributes: Attributes = {
    [ATTR.DB_SYSTEM_NAME]: system,
    [ATTR.DB_OPERATION_NAME]: op.name,
  };
  if (namespace !== undefined) attributes[ATTR.KV_NAMESPACE] = namespace;
  if (op.batch) attributes[ATTR.DB_OPERATION_BATCH_SIZE] = keyCount(op, firstArg);
  else if (options.captureKeyHash && typeof firstArg === 'string') attributes[KV_ATTR.KEY_HASH] = hashKey(firstArg, options.keyHashSalt);
  return attributes;
}

/** SHA-256 of salt + key, first 16 hex characters: enough to correlate, useless to read. */
export function hashKey(key: string, salt: string): string {
  return createHash('sha256').update(salt).update(key).digest('hex').slice(0, 16);
}
