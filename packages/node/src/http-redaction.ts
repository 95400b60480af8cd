import type { Attributes, Span } from '@opentelemetry/api';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { queryRedactor } from '@threadline/core';

const URL_ATTRIBUTES = ['url.full', 'url.query'] as const;

/** The names as given plus their lower- and upper-case forms: what the exact matcher upstream can use. */
function exactForms(names: readonly string[]): string[] {
  return [...new Set(names.flatMap((name) => [name, name.toLowerCase(), name.toUpperCase()]))];
}

/**
 * Applies threadline's redaction list to the http instrumentation's server (`url.query`) and
 * client (`url.full`) spans. Its own `redactedQueryParams(Server)` options do the common exact
 * matches before the span starts; they compare names case-sensitively, so a request hook then runs
 * core's redactor (any case, `-` / `_` ignored) over the values the instrumentation recorded.
 */
export function withQueryRedaction(config: HttpInstrumentationConfig, names: readonly string[]): HttpInstrumentationConfig {
  const redact = queryRedactor(names);
  const exact = exactForms(names);
  const userRequestHook = config.requestHook;
  return {
    ...config,
    redactedQueryParams: config.redactedQueryParams ?? exact,
    redactedQueryParamsServer: config.redactedQueryParamsServer ?? exact,
    requestHook(span, request) {
      redactRecorded(span, redact);
      userRequestHook?.(span, request);
    },
  };
}

/** Rewrites the span's recorded URL attributes in place (SDK spans expose what they recorded). */
function redactRecorded(span: Span, redact: (url: string) => string): void {
  const recorded = (span as Partial<{ attributes: Attributes }>).attributes;
  if (recorded === undefined) return;
  for (const key of URL_ATTRIBUTES) {
    const value = recorded[key];
    if (typeof value !== 'string') continue;
    // url.query has no leading `?`; the redactor looks for one.
    const redacted = key === 'url.query' ? redact(`?${value}`).slice(1) : redact(value);
    if (redacted !== value) span.setAttribute(key, redacted);
  }
}
