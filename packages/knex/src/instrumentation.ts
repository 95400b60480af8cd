import { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { validateConfig } from './config.js';
import { attach } from './instrument.js';
import type { TelemetrySource } from './telemetry.js';
import type { KnexInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const SUPPORTED_VERSIONS = ['>=2.0.0 <4'];
const MAKE_KNEX_FILE = 'knex/lib/knex-builder/make-knex.js';
const WRAPPED = Symbol.for('threadline.knex.makeKnex');

type MakeKnex = ((client: unknown, ...rest: unknown[]) => unknown) & { [WRAPPED]?: true };

/**
 * OTel Instrumentation for knex 2.x and 3.x (startTelemetry, NodeSDK, registerInstrumentations).
 * It patches one thing: knex's internal `makeKnex`, only to call the same per-instance
 * instrumentation as `instrumentKnex` on every knex instance created while it is enabled.
 * Disabling it silences the instances it instrumented; knex itself is never rewritten.
 */
export class KnexInstrumentation extends InstrumentationBase<KnexInstrumentationConfig> {
  constructor(config: KnexInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, validateConfig(config));
  }

  override setConfig(config: KnexInstrumentationConfig = {}): void {
    super.setConfig(validateConfig(config));
  }

  /** Instruments a knex instance created before this instrumentation was enabled. */
  instrument(knex: unknown): void {
    attach(knex, this.source());
  }

  protected init(): InstrumentationNodeModuleDefinition {
    const file = new InstrumentationNodeModuleFile(
      MAKE_KNEX_FILE,
      SUPPORTED_VERSIONS,
      (makeKnex: MakeKnex) => this.wrapMakeKnex(makeKnex),
      (makeKnex: MakeKnex) => makeKnex,
    );
    return new InstrumentationNodeModuleDefinition('knex', SUPPORTED_VERSIONS, undefined, undefined, [file]);
  }

  private wrapMakeKnex(makeKnex: MakeKnex): MakeKnex {
    if (typeof makeKnex !== 'function' || makeKnex[WRAPPED]) return makeKnex;
    const instrument = (knex: unknown, client: unknown) => this.instrumentCreated(knex, client);
    const wrapped: MakeKnex = function (this: unknown, client: unknown, ...rest: unknown[]) {
      const knex = makeKnex.call(this, client, ...rest);
      instrument(knex, client);
      return knex;
    };
    Object.assign(wrapped, makeKnex);
    wrapped[WRAPPED] = true;
    return wrapped;
  }

  private instrumentCreated(knex: unknown, client: unknown): void {
    // Transactions build their own knex over a transacting client: their events already reach the parent.
    if (!this.isEnabled() || (client as { transacting?: unknown } | null)?.transacting) return;
    try {
      attach(knex, this.source());
    } catch (error) {
      this._diag.error('could not instrument a knex instance; it runs uninstrumented', error);
    }
  }

  private source(): TelemetrySource {
    const tracer = () => this.tracer;
    const enabled = () => this.isEnabled();
    return {
      get tracer() {
        return tracer();
      },
      config: this.getConfig(),
      get enabled() {
        return enabled();
      },
    };
  }
}
