import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { resolveOptions } from './options.js';
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './semconv.js';
import { subscribeResolved, type FetchSubscription } from './subscribe.js';
import type { FetchInstrumentationConfig } from './types.js';

/**
 * OTel Instrumentation for Node's global fetch and the undici package, through undici's
 * diagnostics channels: nothing is patched, so it works in CommonJS, ESM and bundles alike.
 */
export class FetchInstrumentation extends InstrumentationBase<FetchInstrumentationConfig> {
  // `declare`: the base constructor calls enable() before field initialisers would run.
  declare private subscription: FetchSubscription | undefined;

  constructor(config: FetchInstrumentationConfig = {}) {
    resolveOptions(config);
    super(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION, config);
  }

  protected override init(): [] {
    return [];
  }

  override enable(): void {
    if (this.subscription) return;
    this.subscription = subscribeResolved(resolveOptions(this.getConfig()), () => this.tracer);
  }

  override disable(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  override setConfig(config: FetchInstrumentationConfig = {}): void {
    resolveOptions(config);
    super.setConfig(config);
    if (this.subscription) {
      this.disable();
      this.enable();
    }
  }
}
