#!/usr/bin/env node
import { runCli } from './viewer/command.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  signal: controller.signal,
}).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`threadline: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
