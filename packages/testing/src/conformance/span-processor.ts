import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { recordSpan } from './recorder.js';

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** Feeds every span the harness's provider ends to the conformance recorder. */
export class ConformanceSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    recordSpan({
      scope: span.instrumentationScope.name,
      name: span.name,
      kind: KINDS[span.kind] ?? String(span.kind),
      attributes: span.attributes,
      events: span.events.map((e) => ({ name: e.name, attributes: e.attributes ?? {} })),
      source: 'harness',
    });
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
