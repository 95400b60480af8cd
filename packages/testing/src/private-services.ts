import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
