import { context, metrics, trace } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { FetchInstrumentation } from '@threadline/fetch';
import { publishOneRequest, sdkFloorSubscriber } from '../../fixtures/fetch-channels.js';
import { IdleReader } from '../../otel-fixtures.js';
import type { IcountGroup, IcountScenario } from '../scenario.js';
import { requestContext } from '../settings.js';

interface Toggle {
  enable(): void;
  disable(): void;
}

/** One request's undici channel messages per op, inside its request context; the subscriber is on for its own row only. */
function row(name: string, role: IcountScenario['role'], toggle?: Toggle): IcountScenario {
  return {
    name,
    role,
    run: (n) => {
      for (let i = 0; i < n; i++) context.with(requestContext(i), publishOneRequest);
    },
    ...(toggle ? { before: () => toggle.enable(), after: () => toggle.disable() } : {}),
  };
}

export const fetchGroup: IcountGroup = {
  id: 'fetch',
  title: 'fetch: undici channel messages of one request (no I/O)',
  ops: 1_000,
  async setup() {
    // contrib records http.client.request.duration through the global meter provider.
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new IdleReader()] }));
    const threadline = new FetchInstrumentation();
    threadline.disable();
    const contrib = new UndiciInstrumentation();
    contrib.disable();
    return [
      row('lifecycle published, no subscriber', 'baseline'),
      row('minimal subscriber: the SDK calls semconv needs (floor)', 'floor', sdkFloorSubscriber(trace.getTracer('bench-floor'))),
      { ...row('@threadline/fetch', 'threadline', threadline), floor: 'minimal subscriber: the SDK calls semconv needs (floor)', anchor: '@opentelemetry/instrumentation-undici 0.34' },
      row('@opentelemetry/instrumentation-undici 0.34', 'anchor', contrib),
    ];
  },
};
