import { spawn } from 'node:child_process';

export interface AppRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last stdout line that parses as JSON (apps print their findings as one JSON line). */
  readonly result: unknown;
}

export interface RunAppOptions {
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly args?: readonly string[];
}

/**
 * Runs a fixture app (an `.mjs` ESM app, or `.cjs`) in a child Node process, so plugins are
 * proven in a real ESM (or CommonJS) app, not only under the test runner's loader.
 */
export function runApp(file: string, options: RunAppOptions = {}): Promise<AppRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app ${file} timed out after ${options.timeoutMs ?? 30_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, result: lastJsonLine(stdout) });
    });
  });
}

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}
