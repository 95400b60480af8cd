import { collectionName } from './attributes.js';
import type { KnexHandler, PoolSnapshot, PoolTiming, QueryEvent } from './handler.js';
import { isTarnPool, watchPool, type PoolWatcher } from './pool.js';
import { runTransaction, type TransactionRegistry } from './transactions.js';
import { hookClient, own, ownPool, type ClientHooks } from './client-hooks.js';
import type { AnyFn } from './prototype-hook.js';
import { commentedSql, mayComment } from './sql-comment.js';

/** The part of a knex instance the hook touches: its client (never the instance's own events). */
export interface KnexLike {
  readonly client: object;
}

interface KnexQueryObject {
  readonly sql?: unknown;
  readonly bindings?: unknown;
  readonly method?: unknown;
  readonly timeout?: unknown;
  readonly __knexUid?: unknown;
  readonly __knexTxId?: unknown;
  readonly __knexQueryUid?: unknown;
}

interface ClientLike {
  pool?: unknown;
}

/** Statements knex itself sends for transactions: a plain string, so no query uid. */
function isTransactionControl(q: KnexQueryObject): boolean {
  return q.__knexQueryUid === undefined && typeof q.sql === 'string' && TX_CONTROL.test(q.sql.slice(0, 32));
}

function openHandle<TX>(entry: { readonly handle: TX; readonly open: boolean } | undefined): TX | undefined {
  return entry?.open ? entry.handle : undefined;
}

// BEGIN / COMMIT / ROLLBACK / SAVEPOINT are sent by knex itself without a query uid and never get a
// response event: they inform the transaction's outcome instead of becoming query spans.
const TX_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET TRANSACTION)\b/i;

/**
 * Attaches to one knex instance: the query events its client emits (`start`, `query`,
 * `query-response`, `query-error`, seen through client-hooks without adding a listener), its tarn
 * pool's events (occupancy, acquire failures, releases), and the client's `stream` and
 * `transaction` calls for what knex has no event for. Returns a detach function.
 */
export function attachKnex<Q, TX>(knex: KnexLike, handler: KnexHandler<Q, TX>, options: { readonly poolMetrics: boolean; readonly sqlCommenter?: boolean }): () => void {
  const client = knex.client as ClientLike;
  // Queries in flight per connection, oldest first: a connection answers in order.
  const inFlight = new Map<unknown, Q[]>();
  const transactions: TransactionRegistry<TX> = new Map();
  const transactionOnConnection = new Map<unknown, string>();
  let startedBuilder: unknown;
  // The query knex announced last: its dialect `_query` call follows synchronously (commenter only).
  let announcedUid: unknown;
  let announcedHandle: Q | undefined;
  let streamCapture: { handle: Q | undefined } | undefined;
  let watchedPool: unknown;
  let poolWatcher: PoolWatcher | undefined;

  // Fixed arity (no rest arguments): these run on every query.
  const guard = <A = undefined, B = undefined>(fn: (a: A, b: B) => void) => (a?: A, b?: B) => {
    if (!handler.enabled) return;
    try {
      fn(a as A, b as B);
    } catch (error) {
      handler.fault(error);
    }
  };

  const onRelease = (connection: unknown) => {
    const connectionId = (connection as { __knexUid?: unknown } | null)?.__knexUid;
    transactionOnConnection.delete(connectionId);
    const queue = inFlight.get(connectionId);
    if (!queue || queue.length === 0) return;
    for (const handle of queue.splice(0)) handler.queryAbandoned(handle);
  };

  // A destroyed connection's id never comes back: forget it, so churned connections do not pile up.
  const onDestroy = (connection: unknown) => {
    const connectionId = (connection as { __knexUid?: unknown } | null)?.__knexUid;
    onRelease(connection);
    inFlight.delete(connectionId);
  };

  const ensurePoolWatched = () => {
    if (client.pool === watchedPool) return;
    poolWatcher?.detach();
    poolWatcher = undefined;
    watchedPool = client.pool;
    ownPool(watchedPool, hooks);
    if (!isTarnPool(watchedPool)) return;
    poolWatcher = watchPool(watchedPool, {
      occupancy: options.poolMetrics,
      onRelease: guard(onRelease),
      onDestroy: guard(onDestroy),
      onAcquireFail: guard((error: unknown) => handler.acquireFailed(error)),
      onServerSystem: guard((system: string) => handler.serverSystem(system)),
      onSample: guard((snapshot: PoolSnapshot) => handler.poolChanged(snapshot)),
      onTiming: guard((timing: PoolTiming, seconds: number) => handler.poolTimed(timing, seconds)),
    });
  };

  const eventOf = (q: KnexQueryObject, builder: unknown): QueryEvent<TX> => {
    // knex 3 drops the txid from the connection once a savepoint is released; the connection still belongs to the transaction.
    const transactionId = typeof q.__knexTxId === 'string' ? q.__knexTxId : transactionOnConnection.get(q.__knexUid);
    return {
      sql: typeof q.sql === 'string' ? q.sql : '',
      bindings: Array.isArray(q.bindings) ? q.bindings : undefined,
      method: typeof q.method === 'string' ? q.method : undefined,
      collection: collectionName(builder),
      transactionId,
      transaction: transactionId === undefined ? undefined : openHandle(transactions.get(transactionId)),
      timeout: typeof q.timeout === 'number' ? q.timeout : undefined,
    };
  };

  const onStart = guard((builder: unknown) => {
    startedBuilder = builder;
  });

  const onQuery = guard((q: KnexQueryObject) => {
    ensurePoolWatched();
    const builder = startedBuilder;
    startedBuilder = undefined;
    if (typeof q.__knexTxId === 'string') transactionOnConnection.set(q.__knexUid, q.__knexTxId);
    if (isTransactionControl(q)) {
      // knex 3 sends COMMIT without the txid: the connection's last transaction is the one ending.
      const id = typeof q.__knexTxId === 'string' ? q.__knexTxId : transactionOnConnection.get(q.__knexUid);
      const tx = id === undefined ? undefined : openHandle(transactions.get(id));
      const keyword = (q.sql as string).trimStart().slice(0, 8).toUpperCase();
      if (tx === undefined) return;
      if (keyword.startsWith('COMMIT') || keyword.startsWith('RELEASE')) handler.transactionStatement(tx, 'commit');
      else if (keyword.startsWith('ROLLBACK')) handler.transactionStatement(tx, 'rollback');
      return;
    }
    const event = eventOf(q, builder);
    const handle = handler.queryStarted(event);
    if (handle === undefined) return;
    if (options.sqlCommenter) {
      announcedUid = q.__knexQueryUid;
      announcedHandle = handle;
    }
    if (streamCapture) {
      streamCapture.handle = handle;
      return;
    }
    const queue = inFlight.get(q.__knexUid);
    if (queue) queue.push(handle);
    else inFlight.set(q.__knexUid, [handle]);
  });

  const takePending = (q: KnexQueryObject): Q | undefined => (isTransactionControl(q) ? undefined : inFlight.get(q.__knexUid)?.shift());

  const onResponse = guard((response: unknown, q: KnexQueryObject) => {
    const handle = takePending(q);
    if (handle !== undefined) handler.queryEnded(handle, response);
  });

  const onError = guard((error: unknown, q: KnexQueryObject) => {
    const handle = takePending(q);
    if (handle !== undefined) handler.queryFailed(handle, error);
  });

  const stream = (original: AnyFn, target: object, args: unknown[]) => {
    if (!handler.enabled) return original.apply(target, args);
    const capture: { handle: Q | undefined } = { handle: undefined };
    streamCapture = capture;
    let result: unknown;
    try {
      result = original.apply(target, args);
    } catch (error) {
      if (capture.handle !== undefined) guard(() => handler.queryFailed(capture.handle as Q, error))();
      throw error;
    } finally {
      streamCapture = undefined;
    }
    const handle = capture.handle;
    if (handle !== undefined && typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      // knex awaits this promise itself, so observing it changes no rejection handling.
      (result as PromiseLike<unknown>).then(guard(() => handler.queryEnded(handle, undefined)), guard((error: unknown) => handler.queryFailed(handle, error)));
    }
    return result;
  };

  const hashComments = /mysql/i.test(String((client as { dialect?: unknown }).dialect ?? ''));
  const sendQuery = (original: AnyFn, target: object, args: unknown[]) => {
    const [connection, obj] = args as [unknown, KnexQueryObject & { options?: unknown } | undefined];
    let commented: string | undefined;
    if (handler.enabled && obj && typeof obj === 'object' && obj.__knexQueryUid !== undefined && obj.__knexQueryUid === announcedUid && announcedHandle !== undefined) {
      const handle = announcedHandle;
      announcedHandle = undefined;
      guard(() => {
        if (mayComment(obj)) commented = commentedSql(obj.sql, handler.traceparent(handle), hashComments);
      })();
    }
    // A copy: knex's own query object (and so what its events report) keeps the SQL as built.
    return commented === undefined ? original.apply(target, args) : original.call(target, connection, { ...obj, sql: commented }, ...args.slice(2));
  };

  let active = true;
  const hooks: ClientHooks = {
    get active() {
      return active;
    },
    emitted(event, a, b) {
      if (event === 'query') onQuery(a as KnexQueryObject);
      else if (event === 'query-response') onResponse(a, b as KnexQueryObject);
      else if (event === 'query-error') onError(a, b as KnexQueryObject);
      else onStart(a);
    },
    stream,
    transaction: (original, target, args) => runTransaction(original, target, args, transactions, handler, (trxClient) => own(trxClient, hooks)),
    ...(options.sqlCommenter ? { sendQuery } : {}),
  };
  const release = hookClient(client, hooks);
  if (handler.enabled) guard(ensurePoolWatched)();

  return () => {
    active = false;
    release();
    poolWatcher?.detach();
  };
}
