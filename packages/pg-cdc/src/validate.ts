import type { CdcConsumerOptions } from './types.js';

/** Smallest `maxBufferedBytes`: a quarter of it is the server's smallest logical_decoding_work_mem (64 kB). */
export const MIN_BUFFERED_BYTES = 256 * 1024;

/** Config mistakes fail at construction with a message that says what to change. */
export function validateOptions(options: CdcConsumerOptions): void {
  if (!options || typeof options !== 'object') throw new TypeError('createCdcConsumer needs an options object');
  const { connection, slot, publications, handler, mode } = options;
  if (typeof connection !== 'string' && (connection === null || typeof connection !== 'object')) {
    throw new TypeError('pg-cdc: `connection` must be a pg ClientConfig object or a connection string');
  }
  if (typeof slot !== 'string' || !/^[a-z0-9_]{1,63}$/.test(slot)) {
    throw new TypeError(`pg-cdc: \`slot\` must be a replication slot name (lower-case letters, digits, _; at most 63), got ${JSON.stringify(slot)}`);
  }
  if (!Array.isArray(publications) || publications.length === 0 || publications.some((p) => typeof p !== 'string' || !/^[A-Za-z0-9_]+$/.test(p))) {
    throw new TypeError('pg-cdc: `publications` must be a non-empty array of publication names (letters, digits, _)');
  }
  if (typeof handler !== 'function') throw new TypeError('pg-cdc: `handler` must be a function');
  if (mode !== undefined && mode !== 'transaction' && mode !== 'change') {
    throw new TypeError(`pg-cdc: \`mode\` must be 'transaction' or 'change', got ${JSON.stringify(mode)}`);
  }
  const interval = options.slotPollIntervalMs;
  if (interval !== undefined && (!Number.isFinite(interval) || interval < 0)) {
    throw new TypeError('pg-cdc: `slotPollIntervalMs` must be a number of milliseconds ≥ 0 (0 turns polling off)');
  }
  const prefix = options.tracePrefix;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix.length === 0)) {
    throw new TypeError('pg-cdc: `tracePrefix` must be a non-empty string');
  }
  const { maxAttempts, onDeadLetter } = options;
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) {
    throw new TypeError('pg-cdc: `maxAttempts` must be a whole number ≥ 1');
  }
  if ((maxAttempts === undefined) !== (onDeadLetter === undefined) || (onDeadLetter !== undefined && typeof onDeadLetter !== 'function')) {
    throw new TypeError('pg-cdc: `maxAttempts` and `onDeadLetter` go together: set both (a number and a function) or neither');
  }
  const { maxBufferedBytes, spillDirectory } = options;
  if (maxBufferedBytes !== undefined && (!Number.isSafeInteger(maxBufferedBytes) || maxBufferedBytes < MIN_BUFFERED_BYTES)) {
    throw new TypeError(`pg-cdc: \`maxBufferedBytes\` must be a whole number of bytes ≥ ${MIN_BUFFERED_BYTES} (256 KiB)`);
  }
  if (spillDirectory !== undefined && (typeof spillDirectory !== 'string' || spillDirectory.length === 0)) {
    throw new TypeError('pg-cdc: `spillDirectory` must be a directory path');
  }
  const { initialDelayMs, maxDelayMs } = options.reconnect ?? {};
  for (const [name, value] of [['initialDelayMs', initialDelayMs], ['maxDelayMs', maxDelayMs]] as const) {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      throw new TypeError(`pg-cdc: \`reconnect.${name}\` must be a positive number of milliseconds`);
    }
  }
}
