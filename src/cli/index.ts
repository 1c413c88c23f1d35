#!/usr/bin/env node
/**
 * The `tiqology` executable. Startup imports only the command table and the argument parser;
 * each command's implementation (and the SDK, pg, …) loads when that command runs.
 * @packageDocumentation
 */
import { main } from './main.js';

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

// `tiqology flags list --json | head -1`: the reader went away; that is not a failure of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// exitCode, not exit(): pending stdout writes to a pipe are flushed before the process ends.
process.exitCode = await main(process.argv.slice(2), io);
