import type { KnexHandler } from './handler.js';

interface TransactionEntry<TX> {
  readonly handle: TX;
  readonly outerId: string | undefined;
  /** Finished savepoint ids routed to this transaction, dropped when it ends. */
  readonly adopted: string[];
  open: boolean;
}

/** Open transactions by knex txid (`trx3`), as reported on every query's `__knexTxId`. */
export type TransactionRegistry<TX> = Map<string, TransactionEntry<TX>>;

interface TransactionLike {
  readonly txid?: unknown;
  _promise?: unknown;
}

/**
 * One `client.transaction(container, config, outerTx)` call, measured. The container runs with the
 * transaction as the active parent and its transaction client is handed to `adopt` (nested
 * transactions, streams); the outcome is observed by re-chaining the transaction's promise, so the
 * caller still gets the same value or the same error, and an unhandled rejection stays unhandled.
 */
export function runTransaction<TX>(
  original: (...args: unknown[]) => unknown,
  client: object,
  args: unknown[],
  registry: TransactionRegistry<TX>,
  handler: KnexHandler<unknown, TX>,
  adopt: (transactionClient: object) => void,
): unknown {
  const [container, ...rest] = args;
  if (!handler.enabled || typeof container !== 'function') return original.apply(client, args);
  let entry: TransactionEntry<TX> | undefined;
  const body = container as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown, trx: unknown, ...more: unknown[]) {
    const trxClient = (trx as { client?: unknown } | null)?.client;
    if (trxClient !== null && typeof trxClient === 'object') adopt(trxClient);
    return entry ? handler.inTransaction(entry.handle, () => body.call(this, trx, ...more)) : body.call(this, trx, ...more);
  };
  const transaction = original.call(client, wrapped, ...rest) as TransactionLike;
  try {
    entry = track(transaction, rest[1] as TransactionLike | null | undefined, registry, handler);
  } catch (error) {
    handler.fault(error);
  }
  return transaction;
}

function track<TX>(transaction: TransactionLike, outerTx: TransactionLike | null | undefined, registry: TransactionRegistry<TX>, handler: KnexHandler<unknown, TX>): TransactionEntry<TX> | undefined {
  const id = typeof transaction?.txid === 'string' ? transaction.txid : undefined;
  const promise = transaction?._promise as PromiseLike<unknown> | undefined;
  if (id === undefined || typeof promise?.then !== 'function') return undefined;
  const outerId = typeof outerTx?.txid === 'string' ? outerTx.txid : undefined;
  const outerEntry = outerId === undefined ? undefined : registry.get(outerId);
  const handle = handler.transactionStarted(id, outerEntry?.open ? outerEntry.handle : undefined);
  if (handle === undefined) return undefined;
  const entry: TransactionEntry<TX> = { handle, outerId, adopted: [], open: true };
  registry.set(id, entry);
  const finish = (error: unknown, failed: boolean) => {
    try {
      entry.open = false;
      handler.transactionEnded(handle, error, failed);
      // knex leaves a finished savepoint's id on the shared connection: route it to the outer transaction.
      const outer = outerId === undefined ? undefined : registry.get(outerId);
      if (outer?.open) {
        registry.set(id, outer);
        outer.adopted.push(id);
      } else registry.delete(id);
      for (const adoptedId of entry.adopted) registry.delete(adoptedId);
    } catch (fault) {
      handler.fault(fault);
    }
  };
  transaction._promise = promise.then(
    (value) => {
      finish(undefined, false);
      return value;
    },
    (error: unknown) => {
      finish(error, true);
      throw error;
    },
  );
  return entry;
}
