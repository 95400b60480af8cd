import { ApplicationFailure, condition, continueAsNew, defineSignal, defineUpdate, executeChild, proxyActivities, proxySinks, setHandler } from '@temporalio/workflow';
import type { ProbeSinks } from './probe-interceptors.js';

const { hello } = proxyActivities<{ hello(name: string): Promise<string> }>({ startToCloseTimeout: '1 minute' });
const { probe } = proxySinks<ProbeSinks>();

export const poke = defineSignal<[string]>('poke');

export async function greet(name: string): Promise<string> {
  let poked = '';
  setHandler(poke, (who: string) => {
    poked = who;
  });
  const greeting = await hello(name);
  return poked ? `${greeting} (poked by ${poked})` : greeting;
}

/** Reports the workflow's own Math.random sequence so a test can prove tracing does not consume it. */
export async function randomGreet(name: string): Promise<string> {
  const before = [Math.random(), Math.random()];
  const greeting = await hello(name);
  probe.random([...before, Math.random()]);
  return greeting;
}

export async function failing(name: string): Promise<string> {
  await hello(name);
  throw ApplicationFailure.nonRetryable('the order is gone', 'OrderGone');
}

export async function parent(name: string): Promise<string> {
  return await executeChild(greet, { args: [name], workflowId: 'child-1' });
}

export async function rolling(round: number): Promise<void> {
  await hello(String(round));
  await continueAsNew<typeof rolling>(round + 1);
}

export const approve = defineUpdate<string, [string]>('approve');

export async function approvable(): Promise<string> {
  let approvedBy = '';
  setHandler(approve, (who: string) => {
    approvedBy = who;
    return `approved by ${who}`;
  });
  await condition(() => approvedBy !== '');
  return approvedBy;
}
