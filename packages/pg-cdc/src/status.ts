import type { LogicalReplicationService } from 'pg-logical-replication';
import { formatLsn } from './lsn.js';

/**
 * The two acknowledgement positions of one replication connection, kept apart: `handled` (the
 * handler finished everything below it) and `confirmed` (a standby status update carried it to the
 * server). The library's acknowledge() resolves false without sending while its service stops, so
 * a handled position is reported only once a status update carrying it went out; until then it
 * goes again with every status update (keep-alive answers, the next connection's first status).
 */
export class StatusUpdates {
  handled: bigint;
  confirmed: bigint;

  constructor(
    private readonly service: LogicalReplicationService,
    start: { readonly confirmed: bigint; readonly handled: bigint },
    private readonly onConfirmed: (lsn: bigint) => void,
  ) {
    this.confirmed = start.confirmed;
    this.handled = start.handled;
  }

  /** Everything below `lsn` was handled: sent at once. */
  handle(lsn: bigint): void {
    this.handled = lsn;
    this.send();
  }

  /** Standby status update with write = flush = apply = `handled` (the library adds 1 to what it is given). */
  send(): void {
    const lsn = this.handled;
    if (lsn <= 0n) return;
    let sent: Promise<boolean>;
    try {
      sent = this.service.acknowledge(formatLsn(lsn - 1n));
    } catch {
      return;
    }
    sent.then(
      (carried) => {
        // false: dropped by the library; `handled` stays unconfirmed and goes out with the next status.
        if (!carried || lsn <= this.confirmed) return;
        this.confirmed = lsn;
        this.onConfirmed(lsn);
      },
      () => undefined,
    );
  }
}
