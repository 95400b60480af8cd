import { context, SpanKind, trace } from '@opentelemetry/api';
import { instrumentKnex } from '@threadline/knex';
import { replayEvents, SEMCONV_ATTRIBUTES } from '../../fixtures/knex-replay.js';
import type { IcountGroup } from '../scenario.js';
import { requestContext } from '../settings.js';

type Knex = ReturnType<typeof import('knex').default>;

/** What knex emits around one `select ?`, no database, each query inside its request's context. */
export const knexGroup: IcountGroup = {
  id: 'knex',
  title: 'Knex replayed query events (no database)',
  ops: 1_000,
  async setup() {
    const { default: knex } = await import('knex');
    const open = (): Knex => knex({ client: 'pg', connection: { host: '127.0.0.1', user: 'postgres', database: 'test' } });
    const bare = open();
    const instrumented = open();
    instrumentKnex(instrumented);
    const tracer = trace.getTracer('bench-floor');
    const inRequests = (body: (db: Knex) => void, db: Knex) => (n: number) => {
      for (let i = 0; i < n; i++) context.with(requestContext(i), body, undefined, db);
    };
    const replayOne = (db: Knex) => replayEvents(db, 1);
    return [
      { name: 'replay, uninstrumented', role: 'baseline', run: inRequests(replayOne, bare) },
      {
        name: 'replay + one SDK span with the semconv DB attributes (floor)',
        role: 'floor',
        run: inRequests((db) => {
          const span = tracer.startSpan('SELECT', { kind: SpanKind.CLIENT, attributes: SEMCONV_ATTRIBUTES });
          replayEvents(db, 1);
          span.end();
        }, bare),
      },
      { name: 'replay, threadline', role: 'threadline', floor: 'replay + one SDK span with the semconv DB attributes (floor)', run: inRequests(replayOne, instrumented) },
    ];
  },
};
