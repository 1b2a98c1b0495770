import type { HistoryEntry } from '../../../shared/api/query';
import { formatCount, formatDuration } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { renderTable } from '../output/table';
import { describeApiError, openCliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;

const HELP = `Usage: battery-workbench history [--limit N] [--json] [--workspace DIR]

Lists the workspace's query runs, newest first: those of the app, the web host and \`query\` alike.
Each run records its SQL, parameter values, target, start time, elapsed time, row count, the lake
days of the cold views it names, the hot mirror's watermark per dataset at the time, and its result
fingerprint (resultHash): the same query over the same data gives the same fingerprint, and a changed
value, row count, column type or (for a query with ORDER BY) row order gives another.

Options:
  --workspace DIR  Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --limit N        Show the newest N runs, 1 to ${MAX_LIMIT} (default: ${DEFAULT_LIMIT}).
  --json           Print a JSON array: one object per run with sql, params, target, rows, elapsedMs,
                   resultHash, startedAt, coldDays, hotWatermark and error (null when it ran).
  -h, --help       Show this help.

Exit codes: 0 success, 1 the history could not be read, 2 bad usage.`;

/** A run as `history --json` prints it. */
export function historyJson(e: HistoryEntry): Record<string, unknown> {
  return {
    sql: e.sql,
    params: e.params,
    target: e.target,
    rows: e.rowCount,
    elapsedMs: Math.round(e.elapsedMs * 1000) / 1000,
    resultHash: e.resultHash,
    startedAt: e.startedAt,
    coldDays: e.coldDays,
    hotWatermark: e.hotWatermark,
    error: e.error,
  };
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new CliError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${text}".`, 2);
  }
  return n;
}

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'List recent query runs with their row counts and result fingerprints.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(historyCommand, argv, {
      workspace: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new CliError(`history takes no arguments, but got "${positionals[0]}". See --help.`, 2);
    const limit = parseLimit(values.limit);
    const session = await openCliWorkbench(values.workspace);
    try {
      const res = await session.api.query.history({ search: '', limit });
      if (!res.ok) throw new CliError(`Could not read the run history: ${describeApiError(res.error)}`);
      await print(io, res.value.entries, values.json === true);
      return 0;
    } finally {
      await session.close();
    }
  },
};

async function print(io: CliIo, entries: HistoryEntry[], json: boolean): Promise<void> {
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify(entries.map(historyJson), null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    await writeOut(io.stdout, 'No query runs yet.\n');
    return;
  }
  const rows = entries.map((e) => [
    e.startedAt,
    e.target,
    e.error ? 'failed' : e.rowCount === null ? '' : formatCount(e.rowCount),
    formatDuration(e.elapsedMs),
    e.resultHash ? e.resultHash.slice(0, 12) : '',
    e.sql.replace(/\s+/g, ' ').trim(),
  ]);
  const columns = [
    { name: 'started', type: 'TIMESTAMPTZ', alignRight: false },
    { name: 'target', type: 'VARCHAR', alignRight: false },
    { name: 'rows', type: 'BIGINT', alignRight: true },
    { name: 'elapsed', type: 'VARCHAR', alignRight: true },
    { name: 'fingerprint', type: 'VARCHAR', alignRight: false },
    { name: 'sql', type: 'VARCHAR', alignRight: false },
  ];
  await writeOut(io.stdout, renderTable(columns, rows, io.columns && io.columns > 20 ? io.columns : 160));
}
