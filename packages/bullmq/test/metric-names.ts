export const METRIC = {
  sent: 'messaging.client.sent.messages',
  sendDuration: 'messaging.client.operation.duration',
  consumed: 'messaging.client.consumed.messages',
  processDuration: 'messaging.process.duration',
  inFlight: 'messaging.process.in_flight',
  wait: 'messaging.process.queue_wait',
  dropped: 'threadline.telemetry.dropped',
} as const;
