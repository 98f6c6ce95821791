#!/usr/bin/env node
/** The `psutil` command (package.json bin): see main.ts and docs/tools.md. */
import { main, nodeIo } from './main';

// `psutil ps | head`: a closed pipe ends the run quietly, as the Unix tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
void main(process.argv.slice(2), nodeIo()).then((code) => {
  process.exitCode = code;
});
