/** Explicit bucket boundaries from the semconv advice, by unit. Every sink uses these same arrays. */
export const SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
]);

/** db.client.operation.duration advice (semconv database metrics). */
export const DB_SECONDS_BUCKETS: readonly number[] = Object.freeze([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);

export const MILLISECONDS_BUCKETS: readonly number[] = Object.freeze(SECONDS_BUCKETS.map((s) => s * 1000));

export const BYTES_BUCKETS: readonly number[] = Object.freeze([
  1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

export function defaultBuckets(unit: string): readonly number[] {
  switch (unit) {
    case 's':
      return SECONDS_BUCKETS;
    case 'ms':
      return MILLISECONDS_BUCKETS;
    case 'By':
      return BYTES_BUCKETS;
    default:
      return SECONDS_BUCKETS;
  }
}
