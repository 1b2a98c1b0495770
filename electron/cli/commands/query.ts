import { lakeFlagHelp } from '../../core/workspace/stores';
import { randomUUID } from 'node:crypto';
import type { QueryProgressEvent, QueryTarget } from '../../../shared/api/query';
import { formatCount, formatDuration } from '../../../shared/format';
import type { ParamDecl, ParamValues } from '../../../shared/api/params';
import { CliError } from '../cli-error';
import { parseParamValues } from '../param-flags';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { createProgressBar, type ProgressUpdate } from '../progress-bar';
import { describeApiError, openCliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';
import { decodeArrowWindow, type DecodedWindow } from '../output/arrow-rows';
import { cellText } from '../output/cell-text';
import { jsonRow, uniqueKeys } from '../output/json-rows';
import { isNumericType, renderTable } from '../output/table';

const WINDOW_ROWS = 50_000;
const DEFAULT_TABLE_ROWS = 1000;
const FORMATS = ['table', 'tsv', 'json'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: battery-workbench query "<sql>" [options]
       battery-workbench query - [options]        (read the SQL from stdin)
       battery-workbench query --saved NAME [--param name=value ...] [options]

Runs SQL in the workspace's DuckDB (or directly in PostgreSQL with --on hot) through the
same core as the app. Several statements may be given; the last one's rows are printed.

Options:
  --workspace DIR     Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --on workspace|hot  Where to run: DuckDB workspace (default) or the PostgreSQL hot store.
  --allow-writes      With --on hot: run as the role that may change data (INSERT, UPDATE, DELETE).
                      Without it the PostgreSQL session is read-only and a write is refused.
  --pg-url URL        The PostgreSQL hot store for this run, over the workspace settings
                      (password from the URL or $PGPASSWORD; never stored).
${lakeFlagHelp(22)}
  --sync              Sync the local mirror from PostgreSQL first (starts the embedded one), so the
                      views show the hot store as it is now; without it they show it as last synced.
  --saved NAME        Run the saved query NAME (see \`battery-workbench queries\`) on its own target.
  --param name=value  A value for the named parameter $name (repeat per parameter). It is bound as a
                      value, never put into the SQL, and checked against the saved query's type for it.
  --json              Print a JSON array of row objects (BIGINT exact, text verbatim).
  --format FORMAT     table | tsv | json (default: table on a terminal, tsv when piped).
  --max-rows N        Print at most N rows (default: ${DEFAULT_TABLE_ROWS} for table, all otherwise).
  -h, --help          Show this help.

Exit codes: 0 success, 1 the query failed (message on stderr), 2 bad usage, 130 cancelled (Ctrl+C).`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export const queryCommand: CliCommand = {
  name: 'query',
  summary: 'Run SQL and print the rows (table, TSV or exact JSON).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(queryCommand, argv, {
      workspace: { type: 'string' },
      on: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      'max-rows': { type: 'string' },
      sync: { type: 'boolean' },
      'allow-writes': { type: 'boolean' },
      saved: { type: 'string' },
      param: { type: 'string', multiple: true },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const params = parseParamValues((values.param as string[] | undefined) ?? []);
    if (values.saved !== undefined) {
      if (positionals.length > 0) throw new CliError('Give either SQL or --saved NAME, not both.', 2);
      if (values.on !== undefined) throw new CliError('A saved query runs on its own target: leave out --on.', 2);
    } else if (positionals.length !== 1) {
      throw new CliError(
        positionals.length === 0
          ? 'No SQL given. Usage: battery-workbench query "<sql>" (quote the SQL as one argument, or pass - to read stdin).'
          : `Expected one SQL argument but got ${positionals.length}. Quote the whole SQL as one argument.`,
        2,
      );
    }
    const sql = values.saved !== undefined ? '' : positionals[0] === '-' ? await readStdin() : positionals[0];
    if (values.saved === undefined && sql.trim().length === 0) throw new CliError('The SQL is empty: give a query to run.', 2);

    const target = values.on ?? 'workspace';
    if (target !== 'workspace' && target !== 'hot') throw new CliError(`--on must be "workspace" or "hot", not "${target}".`, 2);
    if (values.sync && target === 'hot')
      throw new CliError('--sync refreshes the workspace mirror; a query --on hot reads PostgreSQL itself. Leave one out.', 2);
    const allowWrites = values['allow-writes'] === true;
    if (allowWrites && target !== 'hot')
      throw new CliError('--allow-writes is for the PostgreSQL hot store (--on hot); the DuckDB workspace is always writable.', 2);

    let format: Format = io.isTTY ? 'table' : 'tsv';
    if (values.format !== undefined) {
      if (!(FORMATS as readonly string[]).includes(values.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}.`, 2);
      format = values.format as Format;
    }
    if (values.json) format = 'json';

    let maxRows = format === 'table' ? DEFAULT_TABLE_ROWS : Number.POSITIVE_INFINITY;
    if (values['max-rows'] !== undefined) {
      maxRows = Number(values['max-rows']);
      if (!Number.isInteger(maxRows) || maxRows < 0) throw new CliError('--max-rows must be a whole number (0 or more).', 2);
    }

    return runQuery(io, {
      sql,
      target,
      allowWrites,
      workspace: values.workspace,
      pgUrl: values['pg-url'],
      lake: values.lake,
      format,
      maxRows,
      sync: values.sync === true,
      saved: values.saved,
      params,
    });
  },
};

interface QueryOptions {
  sql: string;
  target: QueryTarget;
  /** --allow-writes (target hot). */
  allowWrites: boolean;
  workspace: string | undefined;
  pgUrl: string | undefined;
  lake: string | undefined;
  format: Format;
  maxRows: number;
  /** Sync the mirror from PostgreSQL before running. */
  sync: boolean;
  /** --saved: the saved query to run (its SQL, target and parameter types). */
  saved: string | undefined;
  params: ParamValues;
}

async function runQuery(io: CliIo, opts: QueryOptions): Promise<number> {
  const session = await openCliWorkbench(opts.workspace, undefined, { pgUrl: opts.pgUrl, lake: opts.lake });
  if (opts.sync) {
    try {
      const synced = await session.api.data.sync({});
      if (!synced.ok)
        throw new CliError(`Could not sync the mirror from PostgreSQL, so nothing was run: ${describeApiError(synced.error)}`);
    } catch (err) {
      await session.close();
      throw err;
    }
  }
  let run: { sql: string; target: QueryTarget; paramTypes?: ParamDecl[] } = { sql: opts.sql, target: opts.target };
  if (opts.saved !== undefined) {
    const saved = await session.api.savedQueries.get({ name: opts.saved });
    if (!saved.ok) {
      await session.close();
      throw new CliError(describeApiError(saved.error));
    }
    run = { sql: saved.value.sql, target: saved.value.target, paramTypes: saved.value.params };
  }
  const runId = randomUUID();
  let interrupted = false;
  const offInterrupt = io.onInterrupt(() => {
    interrupted = true;
    void session.api.query.cancel({ runId });
  });
  const bar = createProgressBar({ stream: io.stderr, isTTY: io.isTTY, columns: io.columns, label: 'query' });
  const started = Date.now();
  // The engine reports progress only when it changes; the bar redraws the latest state on its
  // own clock (the indeterminate bar keeps moving) and only for queries that run over 500 ms.
  let latest: ProgressUpdate = { fraction: null };
  const offEvents = session.workbench.events.on((event, payload) => {
    if (event !== 'query.progress') return;
    const p = payload as QueryProgressEvent;
    if (p.runId === runId) latest = { fraction: p.percentage >= 0 ? p.percentage / 100 : null, rows: p.rowsProcessed };
  });
  const ticker = io.isTTY ? setInterval(() => Date.now() - started > 500 && bar.update(latest), 100) : null;
  const offProgress = (): void => {
    offEvents();
    if (ticker) clearInterval(ticker);
  };
  try {
    const ran = await session.api.query.run({
      ...run,
      runId,
      allowWrites: opts.allowWrites,
      ...(Object.keys(opts.params).length > 0 ? { params: opts.params } : {}),
    });
    offProgress();
    bar.done();
    if (!ran.ok) {
      if (interrupted || ran.error.code === 'CANCELLED') {
        io.stderr.write('Cancelled.\n');
        return 130;
      }
      throw new CliError(describeApiError(ran.error));
    }
    const result = ran.value;
    const limit = Math.min(result.rowCount, opts.maxRows);
    const printer = createPrinter(io, opts.format);
    let printedHeader = false;
    for (let offset = 0; offset < limit || !printedHeader; offset += WINDOW_ROWS) {
      if (interrupted) return 130;
      const rows = Math.min(WINDOW_ROWS, limit - offset);
      let window: DecodedWindow;
      if (rows <= 0) {
        // Still need the column names for an empty result: read a 1-row window for its schema.
        const w = await session.api.query.window({ resultId: result.resultId, offset: 0, limit: 1 });
        if (!w.ok) throw new CliError(describeApiError(w.error));
        const decoded = decodeArrowWindow(w.value.arrow);
        window = { columns: decoded.columns, values: decoded.columns.map(() => []), rowCount: 0 };
      } else {
        const w = await session.api.query.window({ resultId: result.resultId, offset, limit: rows });
        if (!w.ok) throw new CliError(describeApiError(w.error));
        window = decodeArrowWindow(w.value.arrow);
      }
      await printer.write(window, !printedHeader);
      printedHeader = true;
    }
    await printer.end();
    await session.api.query.close({ resultId: result.resultId });
    if (io.isTTY && opts.format === 'table') {
      const shown = limit < result.rowCount ? ` (showing the first ${limit}; use --max-rows or --json for more)` : '';
      io.stderr.write(
        `${formatCount(result.rowCount)} row${result.rowCount === 1 ? '' : 's'}${shown} · ${formatDuration(result.elapsedMs)}\n`,
      );
    }
    return 0;
  } finally {
    offProgress();
    offInterrupt();
    await session.close();
  }
}

interface Printer {
  write(window: DecodedWindow, first: boolean): Promise<void>;
  end(): Promise<void>;
}

function createPrinter(io: CliIo, format: Format): Printer {
  if (format === 'json') {
    let keys: string[] = [];
    let any = false;
    return {
      async write(w, first) {
        if (first) {
          keys = uniqueKeys(w.columns.map((c) => c.name));
          await writeOut(io.stdout, '[');
        }
        let chunk = '';
        for (let r = 0; r < w.rowCount; r++) {
          chunk += `${any ? ',' : ''}\n${jsonRow(keys, w.values, r)}`;
          any = true;
          if (chunk.length > 1 << 20) {
            await writeOut(io.stdout, chunk);
            chunk = '';
          }
        }
        if (chunk) await writeOut(io.stdout, chunk);
      },
      async end() {
        await writeOut(io.stdout, any ? '\n]\n' : ']\n');
      },
    };
  }
  if (format === 'tsv') {
    return {
      async write(w, first) {
        if (first) await writeOut(io.stdout, `${w.columns.map((c) => cellText(c.name, 'VARCHAR')).join('\t')}\n`);
        let chunk = '';
        for (let r = 0; r < w.rowCount; r++) {
          chunk += `${w.columns.map((c, i) => cellText(w.values[i][r], c.duckdbType)).join('\t')}\n`;
          if (chunk.length > 1 << 20) {
            await writeOut(io.stdout, chunk);
            chunk = '';
          }
        }
        if (chunk) await writeOut(io.stdout, chunk);
      },
      async end() {},
    };
  }
  // table: collect (bounded by --max-rows) to align the columns.
  const rows: string[][] = [];
  let columns: DecodedWindow['columns'] = [];
  return {
    async write(w, first) {
      if (first) columns = w.columns;
      for (let r = 0; r < w.rowCount; r++) rows.push(w.columns.map((c, i) => cellText(w.values[i][r], c.duckdbType)));
    },
    async end() {
      if (columns.length === 0) {
        await writeOut(io.stdout, '(no columns)\n');
        return;
      }
      const table = renderTable(
        columns.map((c) => ({ name: cellText(c.name, 'VARCHAR'), type: c.duckdbType, alignRight: isNumericType(c.duckdbType) })),
        rows,
        io.columns && io.columns > 20 ? io.columns : 160,
      );
      await writeOut(io.stdout, table);
    },
  };
}
