import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotatingFileWriter } from '../src/index.js';

const line = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(80) });

describe('RotatingFileWriter', () => {
  it('rotates by size, keeps at most maxBackups, and never splits a line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-rotate-'));
    const writer = new RotatingFileWriter({ path: join(dir, 'traces.jsonl'), maxBytes: 1024, maxBackups: 2 });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => writer.write(line(i))));
    await writer.close();
    expect(results.every((r) => r === undefined)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['traces.1.jsonl', 'traces.2.jsonl', 'traces.jsonl']);
    const numbers: number[] = [];
    for (const name of ['traces.2.jsonl', 'traces.1.jsonl', 'traces.jsonl']) {
      const text = await readFile(join(dir, name), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
      expect(text.endsWith('\n')).toBe(true);
      for (const l of text.trim().split('\n')) numbers.push((JSON.parse(l) as { i: number }).i);
    }
    // Oldest backup → newest file holds the most recent lines, in order, with nothing in between lost.
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, k) => 60 - numbers.length + k));
    expect(numbers.at(-1)).toBe(59);
  });

  it('appends to an existing file and counts its size toward rotation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-append-'));
    const path = join(dir, 'metrics.jsonl');
    await writeFile(path, `${'y'.repeat(1000)}\n`);
    const writer = new RotatingFileWriter({ path, maxBytes: 1050, maxBackups: 1 });
    await writer.write(line(1));
    await writer.close();
    expect(await readFile(join(dir, 'metrics.1.jsonl'), 'utf8')).toBe(`${'y'.repeat(1000)}\n`);
    expect(await readFile(path, 'utf8')).toBe(`${line(1)}\n`);
  });

  it('maxBackups 0 starts the file over instead of keeping copies', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-nobackup-'));
    const writer = new RotatingFileWriter({ path: join(dir, 'traces.jsonl'), maxBytes: 1024, maxBackups: 0 });
    for (let i = 0; i < 30; i++) await writer.write(line(i));
    await writer.close();
    expect(await readdir(dir)).toEqual(['traces.jsonl']);
  });

  it('a write that cannot reach the disk resolves with the error and never throws', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-broken-'));
    await writeFile(join(dir, 'file'), 'not a directory');
    const writer = new RotatingFileWriter({ path: join(dir, 'file', 'traces.jsonl'), maxBytes: 4096, maxBackups: 1 });
    const error = await writer.write(line(1));
    expect(error).toBeInstanceOf(Error);
    expect(['ENOTDIR', 'EEXIST']).toContain((error as NodeJS.ErrnoException).code);
    await expect(writer.close()).resolves.toBeUndefined();
  });

  it('refuses lines past maxBufferedBytes instead of growing without bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tl-buffer-'));
    const writer = new RotatingFileWriter({ path: join(dir, 'traces.jsonl'), maxBytes: 1 << 20, maxBackups: 1, maxBufferedBytes: 500 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(line(i))));
    await writer.close();
    const refused = results.filter((r) => r instanceof Error);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.message).toMatch(/file buffer full/);
    const written = (await readFile(join(dir, 'traces.jsonl'), 'utf8')).trim().split('\n');
    expect(written).toHaveLength(20 - refused.length);
  });
});
