import { runCli } from './main';
import type { CliIo } from './command';
import { errorMessage } from '../../shared/api/errors';

/** The `battery-workbench` command line: `npm run cli -- <command>` or bin/battery-workbench.js. */
const interruptHandlers = new Set<() => void>();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1 || interruptHandlers.size === 0) process.exit(130);
  process.stderr.write('\nCancelling... (Ctrl+C again to quit at once)\n');
  for (const h of interruptHandlers) h();
});
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // `battery-workbench query ... | head` closes the pipe early: that is not an error.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: process.stdout.isTTY === true,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  onInterrupt(handler) {
    interruptHandlers.add(handler);
    return () => interruptHandlers.delete(handler);
  },
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // Native handles (DuckDB, PostgreSQL children) are closed by then; exit promptly regardless.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err: unknown) => {
    process.stderr.write(`${errorMessage(err)}\n`);
    process.exit(1);
  },
);
