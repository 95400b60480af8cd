import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, startLogicalCluster, type LogicalCluster } from './logical-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection of the private wal_level=logical cluster; empty when none could start (outside CI). */
    pgCdcCluster: { host: string; port: number; user: string; database: string; url: string } | null;
  }
}

let cluster: LogicalCluster | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findPostgresBinDir()) {
    if (process.env.CI === 'true') throw new Error('pg-cdc tests need Postgres server binaries (initdb, pg_ctl) and CI=true');
    console.warn('[pg-cdc] no Postgres server binaries found: the CDC tests are skipped');
    project.provide('pgCdcCluster', null);
    return async () => undefined;
  }
  cluster = await startLogicalCluster();
  const { host, port, user, database, url } = cluster;
  project.provide('pgCdcCluster', { host, port, user, database, url });
  return async () => {
    await cluster?.stop();
  };
}
