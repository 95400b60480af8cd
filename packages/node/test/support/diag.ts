import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';

/** Captures OTel diag warnings and errors so a test can count what reached the user's log. */
export function captureDiag(): { messages: string[]; restore(): void } {
  const messages: string[] = [];
  const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}
