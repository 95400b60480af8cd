import { diag } from '@opentelemetry/api';

/**
 * On the first of `signals`: flush everything, then re-raise the signal so the process ends the
 * way it would have without us (unless the app has its own listeners, which then decide).
 */
export function installSignalFlush(signals: NodeJS.Signals[], shutdown: () => Promise<unknown>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    shutdown()
      .catch((error: unknown) => diag.error('threadline: shutdown on signal failed', error))
      .finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  };
  const remove = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return remove;
}
