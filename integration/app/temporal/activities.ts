import { config } from '../config';

/** Runs with the RunActivity span active, so this fetch is its child. */
export async function notifyDownstream(orderId: string): Promise<string> {
  const response = await fetch(`${config.downstreamUrl}/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId }),
  });
  if (!response.ok) throw new Error(`downstream answered ${response.status}`);
  return `notified ${orderId}`;
}
