import type { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { OtelLogsTransport } from './winston-transport.js';

interface WinstonOptions {
  transports?: unknown;
}
type Configure = (this: unknown, options?: WinstonOptions, ...rest: unknown[]) => unknown;
interface LoggerModule {
  prototype: { configure: Configure };
}

/** Our `configure` wrappers → what they wrap, so unpatching restores exactly the contrib's patch. */
const wrapped = new WeakMap<Configure, Configure>();

/** Every `configure` (which `createLogger` calls too) gets our transport beside the app's own. */
function withLogsTransport(original: Configure): Configure {
  const configure = function configure(this: unknown, options?: WinstonOptions, ...rest: unknown[]) {
    if (options && typeof options === 'object') {
      const given = options.transports;
      const transports = Array.isArray(given) ? [...(given as unknown[])] : given ? [given] : [];
      options = { ...options, transports: [...transports, new OtelLogsTransport()] };
    }
    return original.call(this, options, ...rest);
  };
  wrapped.set(configure, original);
  return configure;
}

/**
 * The contrib winston instrumentation for trace correlation, sending records through our own
 * transport: its `@opentelemetry/winston-transport` depends on the older `@opentelemetry/api-logs`
 * line, whose global logger provider is not the one the 3.x SDK registers.
 */
export class WinstonLogsInstrumentation extends WinstonInstrumentation {
  constructor() {
    super({ disableLogSending: true });
  }

  protected override init(): InstrumentationNodeModuleDefinition[] {
    const definitions = super.init();
    const winston3 = definitions[0];
    for (const file of winston3?.files ?? []) {
      const patch = file.patch;
      const unpatch = file.unpatch;
      // Plain assignment, not shimmer: the contrib patch unwraps `configure` itself and would meet our wrapper.
      file.patch = (exports: LoggerModule, version?: string) => {
        const patched = patch(exports, version) as LoggerModule;
        patched.prototype.configure = withLogsTransport(patched.prototype.configure);
        return patched;
      };
      file.unpatch = (exports?: LoggerModule, version?: string) => {
        const inner = exports && wrapped.get(exports.prototype.configure);
        if (exports && inner) exports.prototype.configure = inner;
        unpatch(exports, version);
      };
    }
    return definitions;
  }
}
