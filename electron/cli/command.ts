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

/**
 * The subcommand of a `<command> <sub> [--flags]` command: one of `subs`, alone, and no flag that `takes` gives to
 * another subcommand (CliError, exit 2, naming what is wrong).
 */
export function subcommandOf<S extends string>(
  command: Pick<CliCommand, 'name'>,
  positionals: readonly string[],
  subs: readonly S[],
  takes: Readonly<Record<string, readonly S[]>>,
  values: object,
): S {
  const sub = positionals[0];
  if (sub === undefined || !(subs as readonly string[]).includes(sub) || positionals.length > 1)
    throw new CliError(`Name one of ${subs.join(', ')}: e.g. \`battery-workbench ${command.name} ${subs[0]}\`.`, 2);
  for (const [flag, allowed] of Object.entries(takes)) {
    if ((values as Record<string, unknown>)[flag] !== undefined && !allowed.includes(sub as S))
      throw new CliError(`--${flag} is for ${allowed.join(' and ')}, not ${sub}.`, 2);
  }
  return sub as S;
}
