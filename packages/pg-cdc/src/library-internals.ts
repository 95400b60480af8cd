import type { LogicalReplicationService } from 'pg-logical-replication';

/**
 * What pg-logical-replication 2.5 does not expose, reached on its pg connection. Every access is
 * optional: a library version without these fields degrades to its own behavior, never throws.
 */
interface ReplicationConnection {
  stream?: { pause?(): void; resume?(): void };
  endCopyFrom?(): void;
}

function connectionOf(service: LogicalReplicationService): ReplicationConnection | undefined {
  return (service as unknown as { _connection?: ReplicationConnection | null })._connection ?? undefined;
}

/** Pauses or resumes reading the socket (the library's own flowControl reaches it the same way). */
export function setSocketPaused(service: LogicalReplicationService, paused: boolean): void {
  const stream = connectionOf(service)?.stream;
  if (paused) stream?.pause?.();
  else stream?.resume?.();
}

/**
 * Ends the replication command the protocol's way (CopyDone) and waits until `ended` settles (the
 * server finished the command) or `timeoutMs` passed. The walsender reads every status update sent
 * before the CopyDone; tearing the socket down instead (what the pg client does while a command
 * runs) can reset it before the last one was read, leaving the slot behind a reported acknowledgement.
 */
export async function endReplication(service: LogicalReplicationService, ended: Promise<unknown>, timeoutMs: number): Promise<void> {
  const connection = connectionOf(service);
  if (!connection?.endCopyFrom) return;
  // Read on: the server flushes what it was sending before it ends the command.
  setSocketPaused(service, false);
  connection.endCopyFrom();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([ended, late]);
  clearTimeout(timer);
}
