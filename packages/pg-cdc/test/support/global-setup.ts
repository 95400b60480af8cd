import { findPostgresBin, startPrivatePostgres, type PrivatePostgres } from '@threadline/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection of the private wal_level=logical cluster; empty when none could start (outside CI). */
    pgCdcCluster: { host: string; port: number; user: string; database: string; url: string } | null;
  }
}

let cluster: PrivatePostgres | undefined;

/** One private wal_level=logical cluster for the whole suite, whatever the shared server's settings. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findPostgresBin()) {
    const install = 'install them (Debian: apt-get install postgresql) or put their directory on PATH';
    if (process.env.CI === 'true') throw new Error(`pg-cdc tests need Postgres server binaries (initdb, postgres) and CI=true: ${install}`);
    console.warn(`[pg-cdc] no Postgres server binaries (initdb, postgres) found: the CDC suites are skipped (with CI=true they fail); ${install}`);
    project.provide('pgCdcCluster', null);
    return async () => undefined;
  }
  cluster = await startPrivatePostgres({ wal_level: 'logical', synchronous_commit: 'off', full_page_writes: 'off' });
  const { host, port, connectionString } = cluster;
  project.provide('pgCdcCluster', { host, port, user: 'postgres', database: 'postgres', url: connectionString });
  return async () => {
    await cluster?.stop();
  };
}
