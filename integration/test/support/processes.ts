import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'app');

export interface AppProcess {
  readonly name: string;
  /** What the process printed after `READY ` (e.g. its port), parsed as JSON. */
  readonly ready: Record<string, unknown>;
  logs(): string;
  /** SIGTERM (the apps flush telemetry on it) and wait for exit. */
  stop(): Promise<void>;
}

/**
 * Starts one process of the example app (`app/<script>.ts` through tsx) and waits for its
 * `READY {json}` line. Each process is its own service with its own exporters.
 */
export function startApp(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(APP_DIR, `${script}.ts`)], {
    cwd: join(APP_DIR, '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not print READY within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^READY (.*)$/m.exec(output);
      if (match && timer) {
        clearTimeout(timer);
        resolve({
          name: script,
          ready: JSON.parse(match[1] as string) as Record<string, unknown>,
          logs: () => output,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
              child.once('exit', () => {
                clearTimeout(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with code ${code} before READY:\n${output}`));
    });
  });
}
