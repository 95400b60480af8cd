#!/usr/bin/env node
// Committed so npm links the bin at install time, before `dist/` is built (npm skips a missing target).
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/dist/cli.js')) throw error;
  process.stderr.write('threadline: @threadline/node is not built in this checkout; run `npm run build` first\n');
  process.exitCode = 1;
}
