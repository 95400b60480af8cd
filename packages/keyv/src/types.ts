import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** When a Keyv call gets a CLIENT span (metrics are always recorded). */
export type KeyvSpanMode = 'with-parent' | 'always' | 'never';

export interface KeyvTelemetryOptions {
  /**
   * `with-parent` (default): a span only when a span is already active, so a hot cache loop outside
   * any request costs metrics only. `always`: every call. `never`: metrics only.
   */
  readonly spans?: KeyvSpanMode;
  /**
   * Adds `threadline.kv.key.hash` (SHA-256 of salt + key, first 16 hex chars) to single-key spans. Off by
   * default: keys never appear in telemetry in any other form.
   */
  readonly captureKeyHash?: boolean;
  /** Salt mixed into the key hash so hashes cannot be matched against guessed keys. Default ''. */
  readonly keyHashSalt?: string;
  /** `db.system.name` for a store threadline cannot recognise (default: detected, else `other`). */
  readonly dbSystemName?: string;
}

export interface KeyvInstrumentationConfig extends InstrumentationConfig, KeyvTelemetryOptions {}
