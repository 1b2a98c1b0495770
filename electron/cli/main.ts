import { APP_VERSION } from '../core/app-version';
import { CliError } from './cli-error';
import type { CliIo } from './command';
import { COMMANDS, findCommand } from './registry';
import { errorMessage } from '../../shared/api/errors';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: battery-workbench <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `battery-workbench <command> --help` for a command's options.",
    "Every command takes --workspace DIR (default: the desktop app's workspace, or $BATTERY_WORKBENCH_WORKSPACE).",
  ].join('\n');
}

/** Runs the CLI for `argv` (without node and script); resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
      io.stdout.write(`${target ? target.help : usage()}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${APP_VERSION}\n`);
      return 0;
    }
    const command = findCommand(name);
    if (!command) throw new CliError(`Unknown command "${name}".\n\n${usage()}`, 2);
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    // Unexpected: still one readable line, no stack trace (set BATTERY_WORKBENCH_DEBUG=1 for it).
    const message = errorMessage(err);
    io.stderr.write(`Unexpected error: ${message}\n`);
    if (process.env.BATTERY_WORKBENCH_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
