import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway Postgres cluster with wal_level=logical, private to one test run. */
export interface LogicalCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly dir: string;
  /** A libpq-style URL for pg / knex / the ESM fixture app. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Directory holding initdb / pg_ctl; found under /usr/lib/postgresql/<version>/bin by default. */
  readonly binDir?: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Record<string, string | number>;
}

/** The newest installed Postgres server binaries, or PG_BIN_DIR, or initdb on PATH. */
export function findPostgresBinDir(): string | undefined {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const initdb = onPath.stdout.trim();
  return initdb ? initdb.slice(0, initdb.lastIndexOf('/')) : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb + pg_ctl start of a private cluster (trust auth, 127.0.0.1, a free port, fsync off).
 * Postgres refuses to run as root, so as root the binaries run as the `postgres` OS user.
 */
export async function startLogicalCluster(options: StartClusterOptions = {}): Promise<LogicalCluster> {
  const binDir = options.binDir ?? findPostgresBinDir();
  if (!binDir) throw new Error('No Postgres server binaries found: install postgresql or set PG_BIN_DIR');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pg-'));
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  chmodSync(dir, 0o700);
  const exec = (binary: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(binDir, binary), ...args]) : run(join(binDir, binary), args);

  const data = join(dir, 'data');
  const port = await freePort();
  await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const settings: Record<string, string | number> = {
    port,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    wal_level: 'logical',
    max_replication_slots: 10,
    max_wal_senders: 10,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    ...options.settings,
  };
  const serverArgs = Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${String(value)}`)
    .join(' ');
  await exec('pg_ctl', ['-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', serverArgs, 'start']);

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
