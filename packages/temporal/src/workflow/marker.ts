/**
 * A string only the workflow-interceptor module (and what it imports) carries: TemporalPlugin looks
 * for it in a prebuilt `workflowBundle` to tell whether the bundle registers the threadline
 * workflow interceptors.
 */
export const WORKFLOW_MODULE_MARKER = 'threadline.temporal/workflow-interceptors';
