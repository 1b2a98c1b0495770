import { parseArgs } from 'node:util';
import { lakeFlagHelp } from '../core/workspace/stores';

export interface WebHostArgs {
  port: number;
  workspace: string | undefined;
  /** PostgreSQL hot store for this run (over the workspace settings); password from the URL or PGPASSWORD. */
  pgUrl: string | undefined;
  /** `--lake`: the lake for this run (a folder or s3://bucket/prefix), over the workspace settings. */
  lake: string | undefined;
  /** `--max-upload`, else $BATTERY_WORKBENCH_MAX_UPLOAD; undefined = the default (20 GB). */
  maxUploadBytes: number | undefined;
  help: boolean;
}

/** The environment variable that sets the upload limit when `--max-upload` is not given. */
export const MAX_UPLOAD_ENV = 'BATTERY_WORKBENCH_MAX_UPLOAD';

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** `500MB`, `20 GB`, `1.5gb`, `1048576` (bytes) → bytes (1024-based, like the sizes the workbench shows); null if unreadable. */
export function parseByteSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b)?\s*$/i.exec(text);
  if (!m?.[1]) return null;
  const bytes = Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : null;
}

export const WEB_HOST_USAGE = `Usage: npm run web -- [--port N] [--workspace DIR] [--pg-url URL] [--lake DIR|S3URL] [--max-upload SIZE]

Serves the workbench to a browser on http://127.0.0.1 only and prints one line with the
link to open (http://127.0.0.1:PORT/#token=...: a fresh token in the fragment; the page sends it
as a header and removes it from the address bar; every data request without it gets 401).

Options:
  --port N           Port to listen on (default: a free one).
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --pg-url URL       Use this PostgreSQL as the hot store for this run, over the workspace settings
                     (password from the URL or $PGPASSWORD; never stored).
${lakeFlagHelp(21)}
  --max-upload SIZE  The largest file a browser may upload, e.g. 500MB or 50GB (default: 20GB, or
                     $${MAX_UPLOAD_ENV}). An upload must also leave 1 GB free on the disk;
                     uploads older than a day are removed at start.
  -h, --help         Show this help.`;

/** Parses the web host's command line; throws an Error with a user-facing message on bad input. */
export function parseWebHostArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WebHostArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
      'max-upload': { type: 'string' },
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
  let maxUploadBytes: number | undefined;
  const maxUpload = values['max-upload'] ?? (env[MAX_UPLOAD_ENV] || undefined);
  if (maxUpload !== undefined) {
    const bytes = parseByteSize(maxUpload);
    const from = values['max-upload'] !== undefined ? '--max-upload' : `$${MAX_UPLOAD_ENV}`;
    if (bytes === null) throw new Error(`${from} must be a size such as 500MB, 20GB or a number of bytes, not "${maxUpload}".`);
    maxUploadBytes = bytes;
  }
  return { port, workspace: values.workspace, pgUrl: values['pg-url'], lake: values.lake, maxUploadBytes, help: values.help ?? false };
}
