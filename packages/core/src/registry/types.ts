import type { MetricInstrument } from '../names.js';

/**
 * Where a name comes from: the stable or the incubating (development) part of
 * `@opentelemetry/semantic-conventions`, or threadline's own `threadline.*` namespace.
 */
export type Stability = 'stable' | 'incubating' | 'owned';

/** Semconv requirement levels, as a convention gives them for one attribute. */
export type Requirement = 'required' | 'conditionally_required' | 'recommended' | 'opt_in';

export interface AttributeUse {
  readonly name: string;
  readonly requirement: Requirement;
  /** Why and when, for conditional and opt-in attributes (README column). */
  readonly note?: string;
}

export interface SpanEntry {
  /** Span-name pattern with `{placeholders}`, e.g. `{db.query.summary}` or `process {queue}`. */
  readonly pattern: string;
  readonly kind: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER' | 'INTERNAL';
  readonly description: string;
  readonly attributes: readonly AttributeUse[];
  /** Attributes the caller passes (traced()) are the caller's names, not checked against the registry. */
  readonly callerAttributes?: boolean;
}

export interface MetricEntry {
  readonly name: string;
  readonly unit: string;
  readonly instrument: MetricInstrument;
  readonly description: string;
  readonly attributes: readonly AttributeUse[];
}

export interface EventEntry {
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeUse[];
}

/** Every name one package emits: the single source for its README tables and the conformance check. */
export interface PackageNames {
  readonly package: string;
  /** Instrumentation scope names its spans carry. */
  readonly scopes: readonly string[];
  readonly spans: readonly SpanEntry[];
  readonly metrics: readonly MetricEntry[];
  readonly events: readonly EventEntry[];
  /**
   * Values threadline gives a semconv enum attribute that semconv does not list (open enums),
   * each with its reason; anything else must be a semconv value.
   */
  readonly customValues?: Readonly<Record<string, readonly string[]>>;
  /**
   * Metric-name prefixes of a library's own metrics passed through unchanged (Temporal SDK's
   * `temporal_*`): their names and labels are the library's, so the check leaves them alone.
   */
  readonly passthroughMetricPrefixes?: readonly string[];
  /** Deliberate deviations from semconv, each with its reason (README and registry). */
  readonly deviations: readonly string[];
}

/** A name the registry knows, with its tag and a one-line description. */
export interface NameInfo {
  readonly name: string;
  readonly stability: Stability;
  readonly brief: string;
}
