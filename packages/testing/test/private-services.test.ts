import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isPortOpen, startPrivatePostgres, startPrivateRedis, temporalBinary, TOOLS } from '../src/index.js';

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

describe('TOOLS.temporal (the Temporal CLI for startPrivateTemporal)', () => {
  const saved = process.env.THREADLINE_TEMPORAL_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.THREADLINE_TEMPORAL_BIN;
    else process.env.THREADLINE_TEMPORAL_BIN = saved;
  });

  it('is found at THREADLINE_TEMPORAL_BIN over the cache path, and missing when nothing is there', () => {
    process.env.THREADLINE_TEMPORAL_BIN = '/opt/t/temporal';
    expect(temporalBinary()).toBe('/opt/t/temporal');
    expect(TOOLS.temporal.find()).toBeUndefined();
    expect(TOOLS.temporal.install).toMatch(/scripts\/e2e-build\.sh/);
    delete process.env.THREADLINE_TEMPORAL_BIN;
    expect(temporalBinary()).toMatch(/\.cache\/threadline\/e2e\/temporal-v1\.5\.1\/temporal$/);
  });
});
