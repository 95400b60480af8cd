import { propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { countDropped, injectContext, parseJsonCarrier } from '@threadline/core';

/**
 * The creation context a job carries in `opts.telemetry.metadata`. `parseJsonCarrier` already
 * sanitized the carrier, so it goes to the global propagator directly (not sanitized twice).
 */
export function contextFromMetadata(metadata: string | undefined): Context {
  const carrier = metadata === undefined ? undefined : parseJsonCarrier(metadata);
  if (carrier === undefined) return ROOT_CONTEXT;
  try {
    return propagation.extract(ROOT_CONTEXT, carrier);
  } catch {
    countDropped('bad_carrier');
    return ROOT_CONTEXT;
  }
}

/** The carrier for a new job; '' when the propagator has nothing to say, so BullMQ stores none. */
export function metadataFor(ctx: Context): string {
  const carrier = injectContext(ctx);
  for (const _key in carrier) return JSON.stringify(carrier);
  return '';
}
