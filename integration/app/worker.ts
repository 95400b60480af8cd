import './telemetry';
import { Worker } from 'bullmq';
import pino from 'pino';
import { announceReady, config } from './config';

// The app's own logger: records written while a job runs carry its trace ids (and reach the logs pipeline).
const logger = pino();

/** Consumes order jobs in its own process and notifies the downstream service over fetch. */
const worker = new Worker<{ orderId: string }>(
  config.queueName,
  async (job) => {
    logger.info({ orderId: job.data.orderId }, 'notifying downstream');
    const response = await fetch(`${config.downstreamUrl}/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId: job.data.orderId }),
    });
    if (!response.ok) throw new Error(`downstream answered ${response.status}`);
    return response.json();
  },
  { connection: { host: config.redisHost, port: config.redisPort }, concurrency: 5 },
);

worker.waitUntilReady().then(() => announceReady({ queue: config.queueName }));
process.once('SIGTERM', () => void worker.close());
