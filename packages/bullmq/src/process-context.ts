import type { Context } from '@opentelemetry/api';
import { PROCESS_KEY } from './span-base.js';

/**
 * An attempt's body context: `inner` (the producer's context, with the process span when one is
 * recorded) plus the process span wrapper under PROCESS_KEY, held in a field. The API's contexts
 * copy their whole map on every `setValue`; this layer costs one small object per job instead of
 * that copy. Every context made from it keeps the layer, so PROCESS_KEY reads the same as it would
 * from a copied map, and every other key reads through to `inner`.
 */
export class ProcessContext implements Context {
  constructor(
    private readonly inner: Context,
    private readonly process: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === PROCESS_KEY ? this.process : this.inner.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return key === PROCESS_KEY ? new ProcessContext(this.inner, value) : new ProcessContext(this.inner.setValue(key, value), this.process);
  }

  deleteValue(key: symbol): Context {
    return key === PROCESS_KEY ? this.inner : new ProcessContext(this.inner.deleteValue(key), this.process);
  }
}
