/** Test-only: an app's own workflow-interceptor module that composes threadline's with its own. */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { interceptors as threadline } from '../../src/workflow/index.js';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const ours = threadline();
  return { inbound: [...(ours.inbound ?? [])], outbound: [...(ours.outbound ?? [])], internals: [...(ours.internals ?? [])] };
};
