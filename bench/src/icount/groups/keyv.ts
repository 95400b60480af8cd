import { context, trace, type Context } from '@opentelemetry/api';
import { instrumentKeyv } from '@threadline/keyv';
import Keyv from 'keyv';
import { handMadeGet, timedGet } from '../../fixtures/keyv-floors.js';
import type { IcountGroup } from '../scenario.js';
import { requestContext } from '../settings.js';

/** Keyv in-memory get: metrics only (no parent span), and a child span per get inside a request. */
export const keyvGroup: IcountGroup = {
  id: 'keyv',
  title: 'Keyv in-memory get',
  ops: 1_000,
  async setup() {
    const plain = new Keyv({ namespace: 'bench' });
    const instrumented = instrumentKeyv(new Keyv({ namespace: 'bench' }));
    await plain.set('present', { id: 1, name: 'cached' });
    await instrumented.set('present', { id: 1, name: 'cached' });
    const tracer = trace.getTracer('bench-floor');
    const floorGet = timedGet(plain);
    // One hand-made get per request context (two exist), built once: no closure per op in the floor.
    const handMade = new Map<Context, () => Promise<unknown>>();
    const handMadeIn = (parent: Context) => handMade.get(parent) ?? handMade.set(parent, handMadeGet(plain, tracer, parent)).get(parent)!;
    const inRequests = (get: () => Promise<unknown>) => async (n: number) => {
      for (let i = 0; i < n; i++) await context.with(requestContext(i), get);
    };
    return [
      { name: 'uninstrumented get', role: 'baseline', run: async (n) => { for (let i = 0; i < n; i++) await plain.get('present'); } },
      { name: 'get + one .then + two clock reads (metrics-only floor)', role: 'floor', run: async (n) => { for (let i = 0; i < n; i++) await floorGet(); } },
      { name: 'threadline metrics only (no parent span)', role: 'threadline', floor: 'get + one .then + two clock reads (metrics-only floor)', run: async (n) => { for (let i = 0; i < n; i++) await instrumented.get('present'); } },
      { name: 'uninstrumented get inside a request', role: 'baseline', run: inRequests(() => plain.get('present')) },
      {
        name: 'hand-made semconv span + .then + clock reads inside a request (span floor)',
        role: 'floor',
        run: async (n) => {
          for (let i = 0; i < n; i++) {
            const parent = requestContext(i);
            await context.with(parent, handMadeIn(parent));
          }
        },
      },
      {
        name: 'threadline inside a request (child span per get)',
        role: 'threadline',
        floor: 'hand-made semconv span + .then + clock reads inside a request (span floor)',
        run: inRequests(() => instrumented.get('present')),
      },
    ];
  },
};
