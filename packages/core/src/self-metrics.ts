import { defineMetrics } from './collector/global.js';
import { METRICS } from './names.js';

const selfMetrics = defineMetrics((collector) => ({
  dropped: collector.counter({ ...METRICS.TELEMETRY_DROPPED, labelKeys: ['reason'] }),
}));

/** Counts telemetry dropped to protect the app (hook errors, bad carriers, internal faults). */
export function countDropped(reason: string, count = 1): void {
  selfMetrics().dropped.bind({ reason }).add(count);
}
