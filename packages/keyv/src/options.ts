import type { KeyvSpanMode, KeyvTelemetryOptions } from './types.js';

export const SPAN_MODE = { withParent: 0, always: 1, never: 2 } as const;
export type SpanModeCode = (typeof SPAN_MODE)[keyof typeof SPAN_MODE];

export interface ResolvedOptions {
  readonly spanMode: SpanModeCode;
  readonly captureKeyHash: boolean;
  readonly keyHashSalt: string;
  readonly dbSystemName: string | undefined;
}

const MODES: Record<KeyvSpanMode, SpanModeCode> = { 'with-parent': SPAN_MODE.withParent, always: SPAN_MODE.always, never: SPAN_MODE.never };

/** Validates options once, at construction: a mistake throws with what to change. */
export function resolveOptions(options: KeyvTelemetryOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`@threadline/keyv: options must be an object, got ${String(options)}`);
  }
  const spans = options.spans ?? 'with-parent';
  if (!Object.prototype.hasOwnProperty.call(MODES, spans)) {
    throw new TypeError(`@threadline/keyv: spans must be 'with-parent', 'always' or 'never', got ${JSON.stringify(spans)}`);
  }
  if (options.captureKeyHash !== undefined && typeof options.captureKeyHash !== 'boolean') {
    throw new TypeError(`@threadline/keyv: captureKeyHash must be true or false, got ${JSON.stringify(options.captureKeyHash)}`);
  }
  if (options.keyHashSalt !== undefined && typeof options.keyHashSalt !== 'string') {
    throw new TypeError('@threadline/keyv: keyHashSalt must be a string');
  }
  if (options.dbSystemName !== undefined && (typeof options.dbSystemName !== 'string' || options.dbSystemName.length === 0)) {
    throw new TypeError('@threadline/keyv: dbSystemName must be a non-empty string such as "redis"');
  }
  return {
    spanMode: MODES[spans],
    captureKeyHash: options.captureKeyHash ?? false,
    keyHashSalt: options.keyHashSalt ?? '',
    dbSystemName: options.dbSystemName,
  };
}
