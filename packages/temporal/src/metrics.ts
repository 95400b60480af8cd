import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './instrumentation.js';
import { ATTR, defineMetrics } from '@threadline/core';
import { TEMPORAL_ATTR, TEMPORAL_METRICS } from './semconv.js';

/** Per-type counts and durations recorded by the interceptors (bounded: types are code, not data). */
export const temporalMetrics = defineMetrics((collector) => ({
  workflowRuns: collector.counter({
    ...TEMPORAL_METRICS.WORKFLOW_RUNS,
    labelKeys: [TEMPORAL_ATTR.WORKFLOW_TYPE, TEMPORAL_ATTR.RESULT, ATTR.ERROR_TYPE],
    optionalLabelKeys: [ATTR.ERROR_TYPE],
  }),
  workflowRunDuration: collector.histogram({ ...TEMPORAL_METRICS.WORKFLOW_RUN_DURATION, labelKeys: [TEMPORAL_ATTR.WORKFLOW_TYPE] }),
  activityRuns: collector.counter({
    ...TEMPORAL_METRICS.ACTIVITY_RUNS,
    labelKeys: [TEMPORAL_ATTR.ACTIVITY_TYPE, TEMPORAL_ATTR.RESULT, ATTR.ERROR_TYPE],
    optionalLabelKeys: [ATTR.ERROR_TYPE],
  }),
  activityRunDuration: collector.histogram({ ...TEMPORAL_METRICS.ACTIVITY_RUN_DURATION, labelKeys: [TEMPORAL_ATTR.ACTIVITY_TYPE, TEMPORAL_ATTR.RESULT] }),
  clientDuration: collector.histogram({
    ...TEMPORAL_METRICS.CLIENT_OPERATION_DURATION,
    labelKeys: [TEMPORAL_ATTR.OPERATION, TEMPORAL_ATTR.RESULT, ATTR.ERROR_TYPE],
    optionalLabelKeys: [ATTR.ERROR_TYPE],
  }),
}), { name: INSTRUMENTATION_NAME, version: INSTRUMENTATION_VERSION });
