import { findPostgresBin, isPortOpen, SERVICES, startPrivatePostgres, startPrivateRedis, type PrivateService } from '@threadline/testing';
import { spawnSync } from 'node:child_process';
import pg from 'pg';

export interface DemoServices {
  readonly databaseUrl: string;
  readonly redisHost: string;
  readonly redisPort: number;
  readonly notes: readonly string[];
  stop(): Promise<void>;
}

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

async function walLevel(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return (await client.query<{ wal_level: string }>('show wal_level')).rows[0]?.wal_level;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Redis and a Postgres with wal_level=logical for the demo: the running ones where they are
 * reachable (and logical), else private instances from the installed binaries, stopped afterwards.
 */
export async function provideServices(): Promise<DemoServices> {
  const started: PrivateService[] = [];
  const notes: string[] = [];
  let redisHost: string = SERVICES.redis.host;
  let redisPort: number = SERVICES.redis.port;
  if (await isPortOpen(redisHost, redisPort, 1000)) notes.push(`Redis: using ${redisHost}:${redisPort}`);
  else if (hasBinary('redis-server')) {
    const redis = await startPrivateRedis();
    started.push(redis);
    ({ host: redisHost, port: redisPort } = redis);
    notes.push(`Redis: started a private redis-server on port ${redisPort}`);
  } else {
    throw new Error('Redis is not reachable and redis-server is not installed. Install it with:\n  sudo apt-get install -y redis-server');
  }

  let databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const level = await walLevel(databaseUrl);
  if (level === 'logical') notes.push(`Postgres: using ${databaseUrl}`);
  else if (findPostgresBin()) {
    const pgServer = await startPrivatePostgres();
    started.push(pgServer);
    databaseUrl = pgServer.connectionString;
    notes.push(
      `Postgres: ${level ? `the running server has wal_level=${level}, CDC needs logical, so` : 'none reachable;'} started a private wal_level=logical cluster on port ${pgServer.port}`,
    );
  } else {
    throw new Error('No Postgres with wal_level=logical is reachable and no Postgres binaries are installed. Install them with:\n  sudo apt-get install -y postgresql');
  }

  return {
    databaseUrl,
    redisHost,
    redisPort,
    notes,
    stop: async () => {
      for (const service of started.reverse()) await service.stop();
    },
  };
}
