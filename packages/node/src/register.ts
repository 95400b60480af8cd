// `node --import @threadline/node/register app.mjs` (ESM) or `node --require @threadline/node/register app.js`
// (CommonJS): registers the module hook the supported way, then starts telemetry from the environment.
import { register } from 'node:module';
import { instrumentationsFromEnvironment } from './auto.js';
import { markEsmHookRegistered } from './esm-entry.js';
import { warnOnce } from './warnings.js';
import { startTelemetry } from './start.js';

// On globalThis: given both as --import and --require, the ESM and CommonJS builds run once each.
const REGISTERED = Symbol.for('threadline.node.register');
const slot = globalThis as { [REGISTERED]?: boolean };

if (!slot[REGISTERED]) {
  slot[REGISTERED] = true;
  // Before the app's first import, so module-patching instrumentations see ESM libraries load.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  markEsmHookRegistered();
  try {
    const handle = startTelemetry({ ...instrumentationsFromEnvironment(process.env), flushOnSignals: true });
    // A script that just ends still exports what it recorded.
    process.once('beforeExit', () => void handle.shutdown());
  } catch (error) {
    // Telemetry never stops the app: a bad variable costs telemetry, with the message saying what to fix.
    warnOnce('register-failed', 'THREADLINE_REGISTER_FAILED', `${(error as Error).message}; the app runs without telemetry`);
  }
}

export {};
