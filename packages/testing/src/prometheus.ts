import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './private-services.js';

export interface PrivatePrometheus {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Exemplars Prometheus stored for a PromQL selector, flattened with their series labels. */
  exemplars(query: string): Promise<{ series: Record<string, string>; labels: Record<string, string>; value: number }[]>;
  stop(): Promise<void>;
}

/** The Prometheus server binary (PROMETHEUS_BIN, else PATH), or undefined. */
export function findPrometheusBin(): string | undefined {
  const candidate = process.env.PROMETHEUS_BIN ?? 'prometheus';
  return spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0 ? candidate : undefined;
}

/**
 * A private Prometheus (exemplar storage on, a throw-away TSDB, a free port) scraping `targets`
 * every second. Suites gate on `TOOLS.prometheus` through `describeWithServices`.
 */
export async function startPrivatePrometheus(targets: readonly string[]): Promise<PrivatePrometheus> {
  const bin = findPrometheusBin();
  if (!bin) throw new Error('prometheus is not installed: apt-get install -y prometheus (or set PROMETHEUS_BIN)');
  const dir = mkdtempSync(join(tmpdir(), 'tl-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: threadline\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--enable-feature=exemplar-storage'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async exemplars(query) {
      const now = Date.now() / 1000;
      const response = await fetch(`${url}/api/v1/query_exemplars?query=${encodeURIComponent(query)}&start=${now - 600}&end=${now + 60}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[] };
      if (body.status !== 'success') throw new Error(`Prometheus rejected ${query}: ${body.error ?? response.status}`);
      return (body.data ?? []).flatMap((s) => s.exemplars.map((e) => ({ series: s.seriesLabels, labels: e.labels, value: Number(e.value) })));
    },
    stop,
  };
}
