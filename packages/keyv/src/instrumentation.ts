import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { attachTelemetry, telemetryOf } from './attach.js';
import type { KeyvLike } from './keyv-shape.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import type { KeyvInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { unwrapMethods, wrapMethods } from './wrap.js';

export const SUPPORTED_VERSIONS = ['>=5.0.0 <7'];

type KeyvModule = { Keyv?: unknown; default?: unknown };

/**
 * Patches the `keyv` module (CommonJS and ESM) so every Keyv created gets the telemetry that
 * `instrumentKeyv` gives one instance: the same wrapper on Keyv's prototype.
 */
export class KeyvInstrumentation extends InstrumentationBase<KeyvInstrumentationConfig> {
  declare private resolved: ResolvedOptions;

  constructor(config: KeyvInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this.resolved = resolveOptions(config);
  }

  override setConfig(config: KeyvInstrumentationConfig = {}): void {
    const resolved = resolveOptions(config);
    super.setConfig(config);
    this.resolved = resolved;
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'keyv',
        SUPPORTED_VERSIONS,
        (moduleExports: KeyvModule) => {
          const prototype = keyvPrototype(moduleExports);
          if (prototype) wrapMethods(prototype, (keyv) => this.telemetryFor(keyv));
          return moduleExports;
        },
        (moduleExports: KeyvModule) => {
          const prototype = keyvPrototype(moduleExports);
          if (prototype) unwrapMethods(prototype);
        },
      ),
    ];
  }

  /** Instances get their telemetry on their first call, with the options of that moment. */
  private telemetryFor(keyv: KeyvLike) {
    return telemetryOf(keyv) ?? (keyv !== null && typeof keyv === 'object' ? attachTelemetry(keyv, this.resolved, () => this.tracer) : undefined);
  }
}

function keyvPrototype(moduleExports: KeyvModule | undefined): Record<string, unknown> | undefined {
  const candidate = moduleExports?.Keyv ?? moduleExports?.default ?? moduleExports;
  const prototype = typeof candidate === 'function' ? (candidate as { prototype?: unknown }).prototype : undefined;
  return prototype !== null && typeof prototype === 'object' ? (prototype as Record<string, unknown>) : undefined;
}
