import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPort } from './services.js';

export interface PrivateService {
  readonly host: string;
  readonly port: number;
  /** Orderly shutdown (idempotent). */
  stop(): Promise<void>;
  /** Sudden death (SIGKILL), for tests of a service that dies mid-use. */
  kill(): Promise<void>;
}

export interface PrivatePostgres extends PrivateService {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly connectionString: string;
}

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The installed Postgres server binaries (Debian layout first, then PATH), or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return found ? found.replace(/\/initdb$/, '') : undefined;
}

function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root needs a "postgres" OS user to own a private cluster');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Starts a throwaway Postgres cluster (initdb into a temp dir, its own port, trust auth) from the
 * installed binaries, e.g. with `wal_level=logical` for CDC. stop() shuts it down and deletes it.
 */
export async function startPrivatePostgres(settings: Record<string, string> = { wal_level: 'logical' }): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('no Postgres server binaries found: install them with `apt-get install -y postgresql`');
  const owner = asPostgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pg-'));
  const data = join(dir, 'data');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    encoding: 'utf8',
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  if (initdb.status !== 0) throw new Error(`initdb failed: ${initdb.stderr}`);
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'max_replication_slots=10', '-c', 'max_wal_senders=10'];
  for (const [key, value] of Object.entries(settings)) args.push('-c', `${key}=${value}`);
  const child = spawn(join(bin, 'postgres'), args, { stdio: 'ignore', ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
  await waitForPort('127.0.0.1', port, 20_000, child);
  return {
    host: '127.0.0.1',
    port,
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => stopChild(child, 'SIGINT').then(() => rmSync(dir, { recursive: true, force: true })),
    kill: () => stopChild(child, 'SIGKILL').then(() => rmSync(dir, { recursive: true, force: true })),
  };
}

/** Starts a private redis-server on a free port (nothing persisted). */
export async function startPrivateRedis(): Promise<PrivateService> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  child.once('error', () => undefined);
  await waitForPort('127.0.0.1', port, 10_000, child);
  return { host: '127.0.0.1', port, stop: () => stopChild(child, 'SIGTERM'), kill: () => stopChild(child, 'SIGKILL') };
}

export interface PrivateTemporal extends PrivateService {
  /** `127.0.0.1:<port>`, for NativeConnection / Connection `address`. */
  readonly address: string;
  readonly namespace: 'default';
}

/** The Temporal CLI binary: THREADLINE_TEMPORAL_BIN, else the one scripts/e2e-build.sh builds. */
export function temporalBinary(): string {
  return process.env.THREADLINE_TEMPORAL_BIN || join(homedir(), '.cache', 'threadline', 'e2e', 'temporal-v1.5.1', 'temporal');
}

/**
 * Starts a throwaway `temporal server start-dev` (headless, SQLite in a temp dir, free ports for
 * gRPC; HTTP and metrics pick their own) and waits until the cluster reports healthy.
 */
export async function startPrivateTemporal(timeoutMs = 60_000): Promise<PrivateTemporal> {
  const bin = temporalBinary();
  if (!existsSync(bin)) throw new Error(`Temporal CLI not found at ${bin}: build it with \`bash scripts/e2e-build.sh\``);
  const dir = mkdtempSync(join(tmpdir(), 'threadline-temporal-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', join(dir, 't.sqlite'), '--log-level', 'warn'];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString();
  });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await waitHealthy(bin, address, child, timeoutMs);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    cleanup();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    host: '127.0.0.1',
    port,
    address,
    namespace: 'default',
    stop: () => stopChild(child, 'SIGTERM').then(cleanup),
    kill: () => stopChild(child, 'SIGKILL').then(cleanup),
  };
}

async function waitHealthy(bin: string, address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}`);
    const health = spawnSync(bin, ['operator', 'cluster', 'health', '--address', address], { encoding: 'utf8', timeout: 5_000 });
    if (health.status === 0 && /SERVING/.test(health.stdout)) return;
    if (Date.now() > deadline) throw new Error(`temporal server on ${address} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
