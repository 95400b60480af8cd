import type { Span, Tracer } from '@opentelemetry/api';
import { TelemetryBoundary, errorRecording, safeHook, type RecordErrorOptions } from '@threadline/core';
import type { BullMQTelemetryOptions, JobLike, SendInfo } from './types.js';

/** Validated options plus what every span wrapper needs: the tracer, hooks and the fault boundary. */
export interface Runtime {
  readonly tracer: () => Tracer;
  readonly link: boolean;
  readonly jobNameLabel: boolean;
  readonly internalSpans: boolean;
  /** Undefined without a user hook: the send span then builds no info object. */
  readonly sendHook: ((span: Span, info: SendInfo) => void) | undefined;
  readonly processHook: (span: Span, job: JobLike) => void;
  readonly boundary: TelemetryBoundary;
  /** From `recordErrorMessages`: whether failed spans carry the error's message. */
  readonly recordError: RecordErrorOptions;
}

const KNOWN_OPTIONS = new Set(['consumerContext', 'jobNameLabel', 'internalSpans', 'sendHook', 'processHook', 'tracerProvider', 'recordErrorMessages', 'enabled']);

/** Checks options once, at construction: a mistake throws with what to change. */
export function createRuntime(options: BullMQTelemetryOptions, tracer: () => Tracer): Runtime {
  if (options === null || typeof options !== 'object') throw new TypeError('@threadline/bullmq: options must be an object');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`@threadline/bullmq: unknown option "${key}"; known options: ${[...KNOWN_OPTIONS].join(', ')}`);
  }
  const { consumerContext = 'parent' } = options;
  if (consumerContext !== 'parent' && consumerContext !== 'link') {
    throw new TypeError(`@threadline/bullmq: consumerContext must be 'parent' or 'link', got ${JSON.stringify(consumerContext)}`);
  }
  for (const hook of ['sendHook', 'processHook'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new TypeError(`@threadline/bullmq: ${hook} must be a function (span, info) => void`);
    }
  }
  for (const flag of ['jobNameLabel', 'internalSpans'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new TypeError(`@threadline/bullmq: ${flag} must be true or false`);
    }
  }
  return {
    tracer,
    link: consumerContext === 'link',
    jobNameLabel: options.jobNameLabel ?? false,
    internalSpans: options.internalSpans ?? false,
    sendHook: options.sendHook ? safeHook(options.sendHook, 'bullmq sendHook') : undefined,
    processHook: safeHook(options.processHook, 'bullmq processHook'),
    boundary: new TelemetryBoundary('@threadline/bullmq'),
    recordError: errorRecording(options, '@threadline/bullmq'),
  };
}
