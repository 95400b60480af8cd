import { Queue, Worker } from 'bullmq';
import { describeWithServices, SERVICES, setupTelemetry } from '@threadline/testing';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BULLMQ_ATTR, EVENTS, bullmqTelemetry } from '../src/index.js';
import { connection, Resources, settled } from './helpers.js';

const harness = setupTelemetry();
const describeWithRedis = await describeWithServices(describe, SERVICES.redis);

describeWithRedis('stalled jobs', () => {
  const res = new Resources();
  beforeEach(() => harness.reset());
  afterEach(() => res.cleanup());

  it('a job whose worker died shows a stalled event on its next attempt', async () => {
    const telemetry = bullmqTelemetry();
    const name = res.name();
    const queue = res.queue(new Queue(name, { connection, telemetry }));
    await queue.add('fragile', {});
    // The first worker takes the job in its own process and is killed mid-job.
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/stall-worker.cjs', import.meta.url))], {
      env: { ...process.env, QUEUE: name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const worker = res.track(new Worker(name, telemetry.processor(async () => 'recovered'), { connection, telemetry, stalledInterval: 300 }));
    const done = settled(worker, 1);
    await done;
    const [span] = await harness.waitForSpans(`process ${name}`);
    const stalled = span!.events.find((e) => e.name === EVENTS.STALLED);
    expect(stalled?.attributes?.[BULLMQ_ATTR.JOB_STALLED_COUNT]).toBe(1);
    expect(span!.attributes[BULLMQ_ATTR.JOB_ATTEMPT]).toBe(1);
    expect(span!.attributes[BULLMQ_ATTR.JOB_OUTCOME]).toBe('completed');
  });
});
