import type { Context } from '@opentelemetry/api';

/**
 * `inner` with one key set, without the copy of inner's whole map the API's `setValue` makes
 * (about 2,000 instructions per call on Node 24). Contexts derived from it keep the key set the
 * same way; they read every other key from `inner` as a copied context would.
 */
class OverlayContext implements Context {
  constructor(
    private readonly inner: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.inner.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return key === this.key ? new OverlayContext(this.inner, key, value) : new OverlayContext(this.inner.setValue(key, value), this.key, this.value);
  }

  deleteValue(key: symbol): Context {
    return key === this.key ? this.inner.deleteValue(key) : new OverlayContext(this.inner.deleteValue(key), this.key, this.value);
  }
}

/** A context reading `value` at `key` and everything else from `inner` (see OverlayContext). */
export function overlayContext(inner: Context, key: symbol, value: unknown): Context {
  return new OverlayContext(inner, key, value);
}
