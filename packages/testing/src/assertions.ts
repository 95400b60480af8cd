import type { ReadableSpan } from '@opentelemetry/sdk-trace';

function describeSpan(span: ReadableSpan): string {
  const ctx = span.spanContext();
  return `"${span.name}" (trace ${ctx.traceId}, span ${ctx.spanId}, parent ${span.parentSpanContext?.spanId ?? 'none'})`;
}

/** Fails unless `child`'s parent is `parent` (same trace, parent span id). */
export function assertChildOf(child: ReadableSpan, parent: ReadableSpan): void {
  const p = parent.spanContext();
  if (child.parentSpanContext?.spanId !== p.spanId || child.spanContext().traceId !== p.traceId) {
    throw new Error(`expected ${describeSpan(child)} to be a child of ${describeSpan(parent)}`);
  }
}

/** Fails unless every span shares one trace id. */
export function assertSameTrace(...spans: ReadableSpan[]): void {
  const ids = new Set(spans.map((s) => s.spanContext().traceId));
  if (ids.size !== 1) throw new Error(`expected one trace, got ${ids.size}: ${spans.map(describeSpan).join('; ')}`);
}

/** Fails unless the span has no parent. */
export function assertRoot(span: ReadableSpan): void {
  if (span.parentSpanContext) throw new Error(`expected ${describeSpan(span)} to be a root span`);
}

/** Fails unless `span` links to `target`'s span context. */
export function assertLinkedTo(span: ReadableSpan, target: ReadableSpan): void {
  const t = target.spanContext();
  if (!span.links.some((l) => l.context.spanId === t.spanId && l.context.traceId === t.traceId)) {
    throw new Error(`expected ${describeSpan(span)} to link to ${describeSpan(target)}`);
  }
}
