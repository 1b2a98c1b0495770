import { parseArgs } from 'node:util';

export interface WebHostArgs {
  port: number;
  workspace: string | undefined;
  /** PostgreSQL hot store for this run (over the workspace settings); password from the URL or PGPASSWORD. */
  pgUrl: string | undefined;
  help: boolean;
}

export const WEB_HOST_USAGE = `Usage: npm run web -- [--port N] [--workspace DIR] [--pg-url URL]

Serves the workbench to a browser on http://127.0.0.1 only and prints one line with the
link to open (http://127.0.0.1:PORT/#token=...: a fresh token in the fragment; the page sends it
as a header and removes it from the address bar; every data request without it gets 401).

Options:
  --port N         Port to listen on (default: a free one).
  --workspace DIR  Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --pg-url URL     Use this PostgreSQL as the hot store for this run, over the workspace settings
                   (password from the URL or $PGPASSWORD; never stored).
  -h, --help       Show this help.`;

/** Parses the web host's command line; throws an Error with a user-facing message on bad input. */
export function parseWebHostArgs(argv: string[]): WebHostArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
    }
  }
  return { port, workspace: values.workspace, pgUrl: values['pg-url'], help: values.help ?? false };
}
