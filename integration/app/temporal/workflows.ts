import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { notifyDownstream } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

/** Runs in the workflow sandbox: one activity that calls the downstream service. */
export async function notifyOrder(orderId: string): Promise<string> {
  return notifyDownstream(orderId);
}
