import { trace, TraceFlags, type Context, type Span, type SpanContext } from '@opentelemetry/api';

interface SamplingFacts {
  followsParent: boolean;
}

// One slot per process: an app may load this package twice (its ES module and CommonJS builds),
// and the copy @threadline/node declares through must be the one the plugins read.
const SLOT = Symbol.for('threadline.core.sampling');
const facts: SamplingFacts = ((globalThis as { [SLOT]?: SamplingFacts })[SLOT] ??= { followsParent: false });

/**
 * Declares that the registered sampler never records a child of an unsampled parent (a
 * ParentBased sampler with its default delegates, which every `parentbased_*` setting builds, or
 * always_off). @threadline/node declares it for the samplers it builds; an app that registers its
 * own SDK with such a sampler may call it too. Plugins then skip the span of an operation whose
 * parent is not sampled instead of asking the SDK for a span nobody records.
 */
export function declareParentBasedSampling(followsParent = true): void {
  facts.followsParent = followsParent;
}

// The last parent found valid: the operations of one request share its span context object.
let lastValid: SpanContext | undefined;

/**
 * True when a span started under `parent` is known never to be recorded: the sampler was declared
 * to follow the parent and the parent is a valid span context without the sampled flag. The
 * operation then runs as in metrics-only mode; `parent` still carries the trace downstream.
 */
export function isUnsampledParent(parent: Context): boolean {
  if (!facts.followsParent) return false;
  const span = trace.getSpan(parent);
  if (span === undefined) return false;
  const spanContext = span.spanContext();
  if ((spanContext.traceFlags & TraceFlags.SAMPLED) !== 0) return false;
  if (spanContext === lastValid) return true;
  // The SDK starts a new trace under an invalid parent, and its root sampler decides that one.
  if (!trace.isSpanContextValid(spanContext)) return false;
  lastValid = spanContext;
  return true;
}

/**
 * For a plugin that hands its span to code expecting one (a library's own telemetry adapter): a
 * non-recording span with the unsampled parent's context, or undefined when the SDK must decide.
 */
export function unrecordedSpan(parent: Context): Span | undefined {
  return isUnsampledParent(parent) ? trace.wrapSpanContext(trace.getSpan(parent)!.spanContext()) : undefined;
}
