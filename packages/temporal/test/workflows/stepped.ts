import { log, proxyActivities } from '@temporalio/workflow';
import { withSpan, workflowTraceIds } from '../../src/workflow/index.js';

const { hello } = proxyActivities<{ hello(name: string): Promise<string> }>({ startToCloseTimeout: '1 minute' });

/** Two user spans around one activity, a workflow log line inside them, and the ids seen by code. */
export async function stepped(name: string): Promise<{ greeting: string; ids: (string | undefined)[] }> {
  const outside = workflowTraceIds()?.spanId;
  const greeting = await withSpan(
    'prepare order',
    async () => {
      log.info('preparing order');
      const inner = await withSpan('call hello', () => hello(name), { attributes: { 'test.step': 'hello' } });
      return inner;
    },
    { attributes: { 'test.step': 'prepare' } },
  );
  // A second activity: `prepare order` is then finished in an earlier workflow task than the last,
  // so a worker without a cache replays its whole life on the next task.
  await withSpan('second step', () => hello('again'));
  const failed = await withSpan('failing step', () => {
    throw new TypeError('step broke');
  }).catch((error: Error) => error.message);
  return { greeting: `${greeting} / ${failed}`, ids: [outside] };
}
