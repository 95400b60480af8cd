import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uniqueName } from '@threadline/testing';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { connect, describeWithCluster, eventually } from './support/db.js';
import { useCdcSuite } from './support/suite.js';

const sinkApp = fileURLToPath(new URL('./fixtures/sink.mjs', import.meta.url));
const BOUND = 1024 * 1024;

/** Starts the consumer process; resolves once it streams. */
async function startConsumer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [sinkApp], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`consumer exited (${code}) before streaming: ${stderr}`)));
  });
  return child;
}

describeWithCluster('pg-cdc at-least-once across a consumer process killed with SIGKILL (streaming on)', () => {
  const cdc = useCdcSuite();
  let sink: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    sink = uniqueName('cdc_sink');
    await cdc.fixture.admin.query(`CREATE TABLE ${sink} (id int NOT NULL, end_lsn text NOT NULL, chunk int NOT NULL, pid int NOT NULL)`);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Runs before the suite drops the fixture (later after-hooks run first).
    await cdc.fixture.admin.query(`DROP TABLE IF EXISTS ${sink}`);
  });

  it('200 transactions, large ones streamed, the consumer process killed mid-stream and restarted: 0 lost, redeliveries only of what was not acknowledged', async () => {
    const env = { PG_URL: cdc.info.url, SLOT: cdc.fixture.slot, PUBLICATION: cdc.fixture.publication, SINK: sink, BOUND: String(BOUND) };
    const first = await startConsumer(env);
    children.push(first);
    const count = async () => Number((await cdc.fixture.admin.query(`SELECT count(*)::int AS n FROM ${sink}`)).rows[0].n);
    let expected = 0;
    const writer = (async () => {
      const client = await connect(cdc.info);
      try {
        for (let t = 0; t < 200; t++) {
          const rows = t % 25 === 5 ? 12_000 : 1 + (t % 3);
          await client.query(`INSERT INTO ${cdc.fixture.table} (id, note) SELECT g, repeat('k', 100) FROM generate_series($1::int, $2::int) g`, [expected + 1, expected + rows]);
          expected += rows;
        }
      } finally {
        await client.end();
      }
    })();
    // Inside the first large transaction: some of its chunks are in the sink, its commit is not acknowledged.
    await eventually(async () => (await count()) >= 5000, 'the first chunks of a large transaction', 60_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const second = await startConsumer(env);
    children.push(second);
    await writer;
    await eventually(async () => Number((await cdc.fixture.admin.query(`SELECT count(DISTINCT id)::int AS n FROM ${sink}`)).rows[0].n) >= expected, `all ${expected} rows in the sink`, 90_000);

    const { rows: bounds } = await cdc.fixture.admin.query(`SELECT min(id) AS lo, max(id) AS hi, count(DISTINCT id)::int AS n FROM ${sink}`);
    expect(bounds[0]).toEqual({ lo: 1, hi: expected, n: expected });
    // Redelivered rows: only from the transaction(s) the first process had not acknowledged, each at most twice,
    // and the second process started such a transaction again from its first chunk.
    const { rows: dups } = await cdc.fixture.admin.query(
      `SELECT end_lsn, count(DISTINCT id)::int AS ids, max(c)::int AS times FROM (SELECT id, end_lsn, count(*) AS c FROM ${sink} GROUP BY id, end_lsn HAVING count(*) > 1) d GROUP BY end_lsn`,
    );
    expect(dups.length).toBeLessThanOrEqual(2);
    for (const dup of dups) expect(dup.times).toBe(2);
    const duplicated = dups.reduce((n, d) => n + (d.ids as number), 0);
    // Everything the killed process wrote (a statement in flight at the kill may still have committed).
    const killedAt = Number((await cdc.fixture.admin.query(`SELECT count(*)::int AS n FROM ${sink} WHERE pid = $1`, [first.pid])).rows[0].n);
    expect(duplicated).toBeLessThanOrEqual(killedAt);
    const { rows: restarted } = await cdc.fixture.admin.query(`SELECT min(chunk)::int AS first FROM ${sink} WHERE pid = $1 AND end_lsn = ANY($2)`, [second.pid, dups.map((d) => d.end_lsn)]);
    if (dups.length > 0) expect(restarted[0].first).toBeLessThanOrEqual(0);
    const total = await count();
    expect(total).toBe(expected + duplicated);
    console.info(`[pg-cdc] process kill: ${expected} rows, killed with ${killedAt} in the sink, ${duplicated} redelivered rows in ${dups.length} transaction(s)`);
  }, 180_000);
});
