import { pathToFileURL } from 'node:url';

/** Runs one `*.bench.ts` file: run-all starts each in its own process, so global OTel registrations never leak between benchmarks. */
const file = process.argv[2];
if (!file) throw new Error('usage: run-one.ts <file.bench.ts>');
const mod = (await import(pathToFileURL(file).href)) as { default: () => Promise<unknown> };
await mod.default();
process.exit(0);
