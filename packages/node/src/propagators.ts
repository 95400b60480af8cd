import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from './jaeger-propagator.js';
import type { PropagatorName } from './types.js';

function create(name: Exclude<PropagatorName, 'none'>): TextMapPropagator {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    case 'jaeger':
      return new JaegerPropagator();
  }
}

/** The configured propagators in order, as one composite (empty for `none`). */
export function createPropagator(names: readonly Exclude<PropagatorName, 'none'>[]): TextMapPropagator {
  return new CompositePropagator({ propagators: names.map(create) });
}
