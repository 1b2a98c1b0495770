import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error';
import { errorMessage } from '../../shared/api/errors';

/** Where a command writes; process streams in real use, buffers in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stdout is a terminal: tables and progress bars instead of machine output. */
  isTTY: boolean;
  /** Terminal width when known. */
  columns: number | undefined;
  /** Registers a handler for Ctrl+C while a command runs; returns the unregister function. */
  onInterrupt(handler: () => void): () => void;
}

/**
 * One CLI command, one file under electron/cli/commands/, listed in electron/cli/registry.ts.
 * `run` resolves to the exit code; throw CliError for a user-facing failure.
 */
export interface CliCommand {
  name: string;
  /** One line for `battery-workbench --help`. */
  summary: string;
  /** The full text for `battery-workbench <name> --help`. */
  help: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with the CLI's conventions: strict options, `-h/--help` always
 * accepted, and bad input turned into a CliError that names the problem and the help.
 */
export function parseCommandArgs<O extends Options>(
  command: Pick<CliCommand, 'name'>,
  argv: string[],
  options: O,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string } & { help?: boolean }; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    return parsed as unknown as ReturnType<typeof parseCommandArgs<O>>;
  } catch (err) {
    const message = errorMessage(err);
    throw new CliError(`${message}\nRun \`battery-workbench ${command.name} --help\` for the options.`, 2);
  }
}
