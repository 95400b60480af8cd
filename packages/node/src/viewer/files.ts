import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ViewLog } from './logs.js';
import { parseLines, type ParsedLines, type ViewSpan } from './spans.js';

/** `traces.jsonl` and its rotated copies `traces.N.jsonl`, oldest first. */
function rotationFamily(file: string, names: string[]): string[] {
  const ext = extname(file);
  const stem = basename(file, ext);
  const backups = names
    .map((name) => ({ name, index: name.startsWith(`${stem}.`) && name.endsWith(ext) ? Number(name.slice(stem.length + 1, name.length - ext.length)) : NaN }))
    .filter((entry) => Number.isInteger(entry.index) && entry.index > 0)
    .sort((a, b) => b.index - a.index)
    .map((entry) => join(dirname(file), entry.name));
  return [...backups, file];
}

/**
 * The files to read for `target`: a directory means every `*.jsonl` in it (metric lines are
 * skipped later); a file means it plus its rotated copies.
 */
export async function traceFiles(target: string): Promise<string[]> {
  const info = await stat(target);
  if (info.isDirectory()) {
    const names = (await readdir(target)).filter((name) => name.endsWith('.jsonl')).sort();
    const heads = names.filter((name) => !/\.\d+\.jsonl$/.test(name));
    const seen = new Set<string>();
    const files: string[] = [];
    for (const head of heads) {
      for (const file of rotationFamily(join(target, head), names)) {
        if (seen.has(file)) continue;
        seen.add(file);
        files.push(file);
      }
    }
    return files;
  }
  return rotationFamily(target, await readdir(dirname(target)).catch(() => []));
}

/** Every span and log record of `target`'s files. */
export async function readSpans(target: string): Promise<ParsedLines> {
  const spans: ViewSpan[] = [];
  const logs: ViewLog[] = [];
  let malformed = 0;
  for (const file of await traceFiles(target)) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const parsed = parseLines(text);
    spans.push(...parsed.spans);
    logs.push(...parsed.logs);
    malformed += parsed.malformed;
  }
  return { spans, logs, malformed };
}
