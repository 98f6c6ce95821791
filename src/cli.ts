#!/usr/bin/env node
/** The agent's command line. (Bootstrap: the agent itself lands with the exporter issue.) */
import { __version__ } from './index';

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write('usage: psutil-exporter [--config.file=FILE]\n');
    return 0;
  }
  process.stdout.write(`psutil-exporter (psutil ${__version__} surface)\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
