import type { CdcTelemetry } from './telemetry.js';
import { qualifiedTable } from './attributes.js';
import { transactionOf, type AssembledTransaction, type CommittedTransaction } from './transaction.js';
import type { CdcConsumerOptions, CdcErrorKind, CdcTransaction } from './types.js';

/**
 * Runs the user's handler for committed transactions, whole or in chunks, and remembers what this
 * process already handled: a redelivery after a lost connection skips finished transactions and
 * finished chunks (chunk boundaries are the same on every replay: same bytes, same bound).
 */
export class Deliverer {
  /** Highest end LSN whose handler resolved in this process: a redelivery of it is acknowledged, not re-run. */
  lastProcessed = 0n;
  private lastFailure: { endLsn: bigint; attempts: number } | undefined;
  /** Chunks of a partly handled transaction already done in this process. */
  private progress: { endLsn: bigint; chunksDone: number } | undefined;

  constructor(
    private readonly options: CdcConsumerOptions,
    private readonly telemetry: CdcTelemetry,
    private readonly onError: (error: unknown, kind: CdcErrorKind) => void,
    /** Spooled bytes above which a transaction is handed over in chunks of at most this size. */
    private readonly chunkBytes: number,
  ) {}

  /** Resolves true when the transaction may be acknowledged; false leaves it for redelivery. */
  async deliver(committed: CommittedTransaction): Promise<boolean> {
    if (committed.endLsn <= this.lastProcessed) {
      await committed.discard();
      return true;
    }
    const attempts = this.lastFailure?.endLsn === committed.endLsn ? this.lastFailure.attempts : 0;
    const parts = committed.parts(this.chunkBytes);
    let current: CdcTransaction | undefined;
    try {
      if (committed.size <= this.chunkBytes) {
        const { value } = await parts.next();
        if (!value || (value.changes.length === 0 && value.messages.length === 0)) return this.done(committed.endLsn);
        current = transactionOf(committed, value.changes, value.messages, attempts + 1);
        const delivery = assembledOf(committed, current);
        this.telemetry.delivered(delivery);
        await this.run(delivery, undefined);
      } else {
        const done = this.progress?.endLsn === committed.endLsn ? this.progress.chunksDone : 0;
        const first = assembledOf(committed, transactionOf(committed, [], [], attempts + 1));
        this.telemetry.delivered(first);
        const tables = new Set<string>();
        const operations = new Set<string>();
        let changes = 0;
        let index = 0;
        const runAll = async (parent: Parameters<Parameters<CdcTelemetry['runTransaction']>[1]>[0]) => {
          for await (const part of parts) {
            const chunk = { index, last: part.last };
            index++;
            for (const change of part.changes) {
              tables.add(qualifiedTable(change));
              operations.add(change.op);
            }
            changes += part.changes.length;
            if (chunk.index < done) continue;
            current = { ...transactionOf(committed, part.changes, part.messages, attempts + 1), chunk };
            const delivery = assembledOf(committed, current);
            this.telemetry.delivered(delivery, false);
            await this.run(delivery, parent, chunk.index);
            this.progress = { endLsn: committed.endLsn, chunksDone: chunk.index + 1 };
            current = undefined;
          }
          return { tables, operations, changes, chunks: index };
        };
        if (this.options.mode === 'change') await runAll(undefined);
        else await this.telemetry.runTransaction(first, runAll);
      }
    } catch (error) {
      return this.failed(committed, current, attempts + 1, error);
    } finally {
      await parts.return(undefined);
    }
    this.telemetry.completed(assembledOf(committed, transactionOf(committed, [], [], attempts + 1)));
    return this.done(committed.endLsn);
  }

  private async run(delivery: AssembledTransaction, parent: Parameters<CdcTelemetry['runChunk']>[2], chunkIndex?: number): Promise<void> {
    const { transaction } = delivery;
    if (this.options.mode === 'change') {
      const handler = this.options.handler;
      for (const change of transaction.changes) await this.telemetry.run(delivery, change, () => handler(change, transaction));
      return;
    }
    const handler = this.options.handler;
    if (chunkIndex === undefined) await this.telemetry.run(delivery, undefined, () => handler(transaction));
    else await this.telemetry.runChunk(delivery, chunkIndex, parent, () => handler(transaction));
  }

  private done(endLsn: bigint): boolean {
    this.lastProcessed = endLsn;
    this.lastFailure = undefined;
    this.progress = undefined;
    return true;
  }

  private async failed(committed: CommittedTransaction, transaction: CdcTransaction | undefined, failures: number, error: unknown): Promise<boolean> {
    if (!transaction) {
      // Not the handler: the spool could not be read back (disk full, file gone). Redelivered.
      this.telemetry.error('protocol');
      this.onError(error, 'protocol');
      return false;
    }
    this.lastFailure = { endLsn: committed.endLsn, attempts: failures };
    this.telemetry.failed();
    this.onError(error, 'handler');
    if (!(await this.deadLettered(transaction, failures, error))) return false;
    if (!transaction.chunk) return this.done(committed.endLsn);
    // A dead-lettered chunk counts as handled; the rest of its transaction comes with the redelivery.
    this.progress = { endLsn: committed.endLsn, chunksDone: transaction.chunk.index + 1 };
    this.lastFailure = undefined;
    if (!transaction.chunk.last) return false;
    return this.done(committed.endLsn);
  }

  /** True when a transaction out of attempts was handed to `onDeadLetter` and may be acknowledged. */
  private async deadLettered(transaction: CdcTransaction, failures: number, error: unknown): Promise<boolean> {
    const { maxAttempts, onDeadLetter } = this.options;
    if (maxAttempts === undefined || onDeadLetter === undefined || failures < maxAttempts) return false;
    try {
      await onDeadLetter(transaction, error);
    } catch (deadLetterError) {
      this.onError(deadLetterError, 'handler');
      return false;
    }
    this.telemetry.error('dead_letter');
    this.onError(error, 'dead_letter');
    return true;
  }
}

function assembledOf(committed: CommittedTransaction, transaction: CdcTransaction): AssembledTransaction {
  return { transaction, endLsn: committed.endLsn, carriers: committed.carriers, receivedAt: committed.receivedAt };
}
