export const METRIC = {
  sent: 'messaging.client.sent.messages',
  sendDuration: 'messaging.client.operation.duration',
  consumed: 'messaging.client.consumed.messages',
  settled: 'threadline.messaging.settled.messages',
  processDuration: 'messaging.process.duration',
  inFlight: 'threadline.messaging.process.in_flight',
  wait: 'threadline.messaging.process.queue_wait',
  dropped: 'threadline.telemetry.dropped',
} as const;
