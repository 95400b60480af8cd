import { MetricReader } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/** A metric reader that is never collected during a run: instruments cost what recording costs. */
export class IdleReader extends MetricReader {
  protected override async onShutdown() {}
  protected override async onForceFlush() {}
}

/** Counts ended spans and drops them: SDK span cost without an exporter's. */
export class DroppingProcessor implements SpanProcessor {
  ended = 0;
  onStart() {}
  onEnd() {
    this.ended++;
  }
  async forceFlush() {}
  async shutdown() {}
}
