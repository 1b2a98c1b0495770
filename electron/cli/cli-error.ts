/** A failure the CLI reports as one line on stderr (no stack trace) with an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  /** `cause`: the error behind it, for a command that tells some apart (e.g. a workspace held by another process). */
  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
