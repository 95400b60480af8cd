import type { ClientInterceptors } from '@temporalio/client';
import { workflowClientInterceptor } from './client.js';
import { TemporalInstrumentation } from './instrumentation.js';
import type { TemporalInstrumentationConfig } from './types.js';

export function instrumentationFrom(options: TemporalInstrumentationConfig | TemporalInstrumentation): TemporalInstrumentation {
  return options instanceof TemporalInstrumentation ? options : new TemporalInstrumentation(options);
}

/** Client interceptors for `new Client({ interceptors })` (also usable as Worker `interceptors.client`). */
export function createClientInterceptors(options: TemporalInstrumentationConfig | TemporalInstrumentation = {}): ClientInterceptors & {
  workflow: ReturnType<typeof workflowClientInterceptor>[];
} {
  return { workflow: [workflowClientInterceptor(instrumentationFrom(options))] };
}
