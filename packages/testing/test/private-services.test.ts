import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPortOpen, startPrivatePostgres, startPrivateRedis, temporalAvailable, temporalBinary } from '../src/index.js';

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

describe('temporalAvailable (the Temporal CLI for startPrivateTemporal)', () => {
  const saved = { bin: process.env.THREADLINE_TEMPORAL_BIN, ci: process.env.CI };
  afterEach(() => {
    for (const [key, value] of [['THREADLINE_TEMPORAL_BIN', saved.bin], ['CI', saved.ci]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('fails with CI=true when the binary is missing, naming the build script', () => {
    process.env.THREADLINE_TEMPORAL_BIN = '/nonexistent/temporal';
    process.env.CI = 'true';
    expect(() => temporalAvailable()).toThrow(/scripts\/e2e-build\.sh/);
  });

  it('skips (false) elsewhere when the binary is missing', () => {
    process.env.THREADLINE_TEMPORAL_BIN = '/nonexistent/temporal';
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(temporalAvailable()).toBe(false);
    expect(warn.mock.calls[0]?.[0]).toMatch(/scripts\/e2e-build\.sh/);
    warn.mockRestore();
  });

  it('uses THREADLINE_TEMPORAL_BIN over the cache path', () => {
    process.env.THREADLINE_TEMPORAL_BIN = '/opt/t/temporal';
    expect(temporalBinary()).toBe('/opt/t/temporal');
    delete process.env.THREADLINE_TEMPORAL_BIN;
    expect(temporalBinary()).toMatch(/\.cache\/threadline\/e2e\/temporal-v1\.5\.1\/temporal$/);
  });
});
