import { defineMetrics } from './collector/global.js';
import { ATTR, METRICS } from './names.js';

const selfMetrics = defineMetrics((collector) => ({
  dropped: collector.counter({ ...METRICS.TELEMETRY_DROPPED, labelKeys: [ATTR.DROP_REASON] }),
}));

/** Counts telemetry dropped to protect the app (hook errors, bad carriers, internal faults). */
export function countDropped(reason: string, count = 1): void {
  selfMetrics().dropped.bind({ [ATTR.DROP_REASON]: reason }).add(count);
}
