import type { KnexHandler } from './handler.js';
import { wrapOwn, type Restore } from './wrap.js';

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

const INSTRUMENTED = Symbol.for('threadline.knex.transactions');

/**
 * Wraps `client.transaction` on this client object only. The wrapped container runs with the
 * transaction as the active parent and instruments the transaction's own client (nested
 * transactions, streams); the outcome is observed by re-chaining the transaction's promise, so the
 * caller still gets the same value or the same error, and an unhandled rejection stays unhandled.
 */
export function wrapTransactions<TX>(
  client: object,
  registry: TransactionRegistry<TX>,
  handler: KnexHandler<unknown, TX>,
  instrumentClient: (client: object) => Restore,
): Restore {
  return wrapOwn(client, 'transaction', (original) =>
    function (this: unknown, container: unknown, ...rest: unknown[]) {
      if (!handler.enabled || typeof container !== 'function') return original.call(this, container, ...rest);
      let entry: TransactionEntry<TX> | undefined;
      const body = container as (...args: unknown[]) => unknown;
      const wrapped = function (this: unknown, trx: unknown, ...more: unknown[]) {
        const trxClient = (trx as { client?: object } | null)?.client;
        if (trxClient && !(trxClient as { [INSTRUMENTED]?: boolean })[INSTRUMENTED]) {
          (trxClient as { [INSTRUMENTED]?: boolean })[INSTRUMENTED] = true;
          instrumentClient(trxClient);
        }
        return entry ? handler.inTransaction(entry.handle, () => body.call(this, trx, ...more)) : body.call(this, trx, ...more);
      };
      const transaction = original.call(this, wrapped, ...rest) as TransactionLike;
      try {
        entry = track(transaction, rest[1] as TransactionLike | null | undefined, registry, handler);
      } catch (error) {
        handler.fault(error);
      }
      return transaction;
    },
  );
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
