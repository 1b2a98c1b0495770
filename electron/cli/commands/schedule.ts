import { WorkbenchError } from '../../../shared/api/errors';
import type { ScheduleInfo, ScheduleRun } from '../../../shared/api/schedule';
import { CliError } from '../cli-error';
import { parseCommandArgs, subcommandOf, type CliCommand, type CliIo } from '../command';
import { renderTable } from '../output/table';
import { describeApiError, openCliWorkbench, type CliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';
import { parseLimit } from './history';

const HELP = `Usage: battery-workbench schedule list [--json] [--workspace DIR]
       battery-workbench schedule run [--once] [--json] [--workspace DIR] [--pg-url URL] [--lake DIR|s3://...]
       battery-workbench schedule history [--job J] [--limit N] [--json] [--workspace DIR]
       battery-workbench schedule set --job J [--cron "EXPR"] [--tz ZONE] [--enable | --disable] [--options JSON]

One scheduler runs the workspace's periodic jobs (archive, lifecycle, features, rollups, alerts) on cron expressions, each in UTC or
an IANA time zone. The desktop app and the web host run it while they are open; a headless machine runs
\`schedule run --once\` from cron (every few minutes) or keeps \`schedule run\` going. A job whose slots passed while
nothing ran (sleep, downtime) runs once, for the latest slot; a slot never runs twice. Jobs run one after another.

list     Every job: its cron, zone, whether it is enabled, its options, next slot, and last run.
run      Runs the jobs that are due now, then (without --once) looks again every 30 s until Ctrl+C.
history  The schedule history, newest first: job, slot, start, end, outcome (done, failed, skipped) and message.
set      Changes a job's schedule: --cron "0 2 * * *", --tz Europe/Berlin, --enable or --disable, --options '{"olderThanDays": 7}'.
         A bad cron expression or time zone is refused and nothing is stored.

Options:
  --once             run only: run what is due now and exit.
  --job J            history: only this job; set: the job to change.
  --limit N          history only: the newest N runs (default 20).
  --json             Print JSON (run --once: one object with the runs; run: one line per finished run).
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --pg-url URL       run only: the PostgreSQL hot store for this run (password from the URL or PGPASSWORD).
  --lake DIR|URL     run only: the lake for this run.
  -h, --help         Show this help.

Exit codes: 0 every job that ran succeeded (or was skipped because another run of it was under way), 1 a job
failed, 2 bad usage, 3 the workspace is open in another process (the app, the web host or another command;
nothing ran here: the app's own scheduler runs the jobs while it is open), 130 interrupted.`;

const SUBCOMMANDS = ['list', 'run', 'history', 'set'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const TAKES: Record<string, readonly Sub[]> = {
  once: ['run'],
  job: ['history', 'set'],
  limit: ['history'],
  cron: ['set'],
  tz: ['set'],
  enable: ['set'],
  disable: ['set'],
  options: ['set'],
  'pg-url': ['run'],
  lake: ['run'],
};

/** Exit code of a `schedule run` whose workspace another process holds. */
export const EXIT_WORKSPACE_HELD = 3;

function runLine(r: ScheduleRun): string {
  const took = r.endedAt ? ` in ${((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : '';
  return `${r.job} (${r.trigger === 'manual' ? 'run now' : `slot ${r.slot}`}): ${r.outcome}${took}${r.message ? ` — ${r.message}` : ''}`;
}

function listText(schedules: ScheduleInfo[], width: number | undefined): string {
  const rows = schedules.map((s) => [
    s.job,
    s.enabled ? 'yes' : 'no',
    s.cron,
    s.timeZone,
    JSON.stringify(s.options),
    s.nextSlot ?? '—',
    s.lastRun ? `${s.lastRun.outcome} ${s.lastRun.slot}` : '—',
  ]);
  const columns = ['job', 'enabled', 'cron', 'zone', 'options', 'next slot', 'last run'].map((name) => ({
    name,
    type: 'VARCHAR',
    alignRight: false,
  }));
  return `${renderTable(columns, rows, width && width > 20 ? width : 240, 100)}\n`;
}

function parseOptions(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CliError(`--options must be a JSON object, e.g. '{"olderThanDays": 7}', not ${text}.`, 2);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`--options must be a JSON object, not ${text}.`, 2);
  return v as Record<string, unknown>;
}

/** The workspace for `schedule run`, or null when another process holds it (said on stderr, or as JSON). */
async function openForRun(
  workspace: string | undefined,
  flags: { pgUrl?: string; lake?: string },
  io: CliIo,
  json: boolean,
): Promise<CliWorkbench | null> {
  try {
    return await openCliWorkbench(workspace, undefined, flags);
  } catch (err) {
    const cause = err instanceof CliError ? err.cause : undefined;
    if (!(cause instanceof WorkbenchError) || cause.code !== 'WORKSPACE_LOCKED') throw err;
    const message = `Nothing ran: ${cause.message}`;
    if (json) await writeOut(io.stdout, `${JSON.stringify({ held: true, message, runs: [] }, null, 2)}\n`);
    else await writeOut(io.stderr, `${message}\n`);
    return null;
  }
}

async function run(
  values: { once?: boolean; json?: boolean; workspace?: string; 'pg-url'?: string; lake?: string },
  io: CliIo,
): Promise<number> {
  const json = values.json === true;
  const flags = { ...(values['pg-url'] ? { pgUrl: values['pg-url'] } : {}), ...(values.lake ? { lake: values.lake } : {}) };
  const opened = await openForRun(values.workspace, flags, io, json);
  if (!opened) return EXIT_WORKSPACE_HELD;
  const { workbench, close } = opened;
  const scheduler = workbench.scheduler;
  let interrupted = false;
  let failed = false;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const offInterrupt = io.onInterrupt(() => {
    interrupted = true;
    scheduler.halt();
    void workbench.jobs.cancelAll();
    stop();
  });
  const offEvents = workbench.events.on((event, payload) => {
    if (event === 'schedule.started') {
      const { run: r } = payload as { run: ScheduleRun };
      void writeOut(io.stderr, `${r.job}: started (slot ${r.slot})\n`);
    } else if (event === 'schedule.ran') {
      const { run: r } = payload as { run: ScheduleRun };
      if (r.outcome === 'failed') failed = true;
      if (!values.once) void writeOut(io.stdout, `${json ? JSON.stringify(r) : runLine(r)}\n`);
    }
  });
  try {
    if (values.once) {
      const runs = await scheduler.tick();
      if (json) await writeOut(io.stdout, `${JSON.stringify({ held: false, runs }, null, 2)}\n`);
      else await writeOut(io.stdout, runs.length === 0 ? 'Nothing is due.\n' : `${runs.map(runLine).join('\n')}\n`);
    } else {
      if (!json) await writeOut(io.stderr, 'Running the schedules; Ctrl+C stops.\n');
      scheduler.start();
      await stopped;
    }
    await scheduler.stop();
  } finally {
    offEvents();
    offInterrupt();
    await close();
  }
  if (interrupted && values.once) return 130;
  return failed ? 1 : 0;
}

export const scheduleCommand: CliCommand = {
  name: 'schedule',
  summary: 'Scheduled jobs (archive, features, rollups): list, run what is due (from cron), history, set.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(scheduleCommand, argv, {
      once: { type: 'boolean' },
      json: { type: 'boolean' },
      job: { type: 'string' },
      limit: { type: 'string' },
      cron: { type: 'string' },
      tz: { type: 'string' },
      enable: { type: 'boolean' },
      disable: { type: 'boolean' },
      options: { type: 'string' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = subcommandOf(scheduleCommand, positionals, SUBCOMMANDS, TAKES, values);
    if (sub === 'run') return run(values, io);
    if (sub === 'set' && values.job === undefined) throw new CliError('schedule set needs --job J (see `schedule list`).', 2);
    if (values.enable && values.disable) throw new CliError('Give --enable or --disable, not both.', 2);
    const limit = parseLimit(values.limit);
    const options = parseOptions(values.options);
    const { api, close } = await openCliWorkbench(values.workspace);
    try {
      if (sub === 'list') {
        const r = await api.schedule.list({});
        if (!r.ok) throw new CliError(describeApiError(r.error));
        await writeOut(io.stdout, values.json ? `${JSON.stringify(r.value, null, 2)}\n` : listText(r.value.schedules, io.columns));
        return 0;
      }
      if (sub === 'history') {
        const r = await api.schedule.history({ limit, ...(values.job ? { job: values.job } : {}) });
        if (!r.ok) throw new CliError(describeApiError(r.error));
        const text = r.value.runs.length === 0 ? 'No scheduled run yet.\n' : `${r.value.runs.map(runLine).join('\n')}\n`;
        await writeOut(io.stdout, values.json ? `${JSON.stringify(r.value, null, 2)}\n` : text);
        return 0;
      }
      const r = await api.schedule.set({
        job: values.job ?? '',
        ...(values.cron !== undefined ? { cron: values.cron } : {}),
        ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
        ...(values.enable ? { enabled: true } : values.disable ? { enabled: false } : {}),
        ...(options ? { options } : {}),
      });
      if (!r.ok) throw new CliError(describeApiError(r.error));
      await writeOut(io.stdout, values.json ? `${JSON.stringify(r.value, null, 2)}\n` : listText([r.value], io.columns));
      return 0;
    } finally {
      await close();
    }
  },
};
