import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isPortOpen, startPrivatePostgres, startPrivateRedis } from '../src/index.js';

function psql(port: number, sql: string): string {
  const run = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atc', sql], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim();
}

describe('private services', () => {
  it('starts a throwaway Postgres with wal_level=logical and removes it on stop', async () => {
    const pg = await startPrivatePostgres();
    try {
      expect(psql(pg.port, 'show wal_level')).toBe('logical');
    } finally {
      await pg.stop();
    }
    expect(await isPortOpen('127.0.0.1', pg.port, 300)).toBe(false);
  }, 60_000);

  it('starts and stops a private redis-server on its own port', async () => {
    const redis = await startPrivateRedis();
    expect(redis.port).not.toBe(6379);
    expect(await isPortOpen(redis.host, redis.port)).toBe(true);
    await redis.stop();
    expect(await isPortOpen(redis.host, redis.port, 300)).toBe(false);
  });
});
