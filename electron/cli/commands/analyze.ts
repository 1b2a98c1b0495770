import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_ANOMALY_THRESHOLDS, DEFAULT_EVENT_THRESHOLDS, EVENT_KINDS, type EventKind } from '../../../shared/domain/analytics';
import { errorMessage } from '../../../shared/api/errors';
import { DEFAULT_SOH_SETTINGS, SohSettingsSchema, type SohSettings } from '../../../shared/api/soh';
import { runAnomalies, runEvents } from '../../core/analytics/analytics';
import { runSoh } from '../../core/analytics/soh-analysis';
import { readSohSettings } from '../../core/dashboard/soh-settings';
import { RAW_MAX_MS } from '../../core/analytics/anomalies-sql';
import { readAnomalyThresholds } from '../../core/analytics/anomaly-thresholds-store';
import { readSignSettings } from '../../core/analytics/sign-store';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { renderTable } from '../output/table';
import { createProgressBar } from '../progress-bar';
import { openCliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';

/** One output row of an analysis: it names a jar (battery_id) or a string (string_id). */
export type AnalysisRow = ({ battery_id: number } | { string_id: number }) & {
  kind: string;
  start: string;
  end: string;
  score: number | null;
  detail: Record<string, unknown>;
};

type Flags = Record<string, string | boolean | undefined>;

interface AnalysisContext {
  conn: DuckDBConnection;
  fromMs: number;
  toMs: number;
  flags: Flags;
  /** Reports a step (0..1) on stderr. */
  step(fraction: number, message: string): void;
}

/**
 * One analysis of `battery-workbench analyze <name>`. To add one, append an entry to ANALYSES: its own flags (the
 * common ones, --from/--to/--json/--workspace, are every analysis's), their help lines, a check of its flags (throw
 * CliError with exit code 2) and a run that returns rows.
 */
export interface Analysis {
  name: string;
  summary: string;
  flags: Record<string, { type: 'string' | 'boolean'; help: string }>;
  check(flags: Flags): void;
  run(ctx: AnalysisContext): Promise<AnalysisRow[]>;
}

function positiveInt(flag: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (!/^\d{1,10}$/.test(value.trim()) || Number(value) < 1 || Number(value) > 2_147_483_647)
    throw new CliError(`--${flag} must be a whole number (an id), not "${value}".`, 2);
  return Number(value);
}

function positiveNumber(flag: string, value: string | boolean | undefined, fallback: number): number {
  if (value === undefined || typeof value === 'boolean') return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`--${flag} must be a positive number, not "${value}".`, 2);
  return n;
}

function eventKinds(value: string | boolean | undefined): EventKind[] {
  if (value === undefined || typeof value === 'boolean') return ['discharge'];
  if (value === 'all') return [...EVENT_KINDS];
  const kinds = value.split(',').map((k) => k.trim());
  for (const k of kinds)
    if (!(EVENT_KINDS as readonly string[]).includes(k))
      throw new CliError(`--kind must be all or a list of ${EVENT_KINDS.join(', ')}, not "${k}".`, 2);
  return kinds as EventKind[];
}

const RESOLUTIONS = ['auto', 'raw', 'hourly'] as const;

/**
 * The settings of `analyze soh`: `base` (the workspace's stored ones, as the dashboards use) with --eol-soh and
 * --eol-drift over them, checked by the contract's schema.
 */
function sohSettings(flags: Flags, base: SohSettings = DEFAULT_SOH_SETTINGS): SohSettings {
  const settings = {
    ...base,
    eolSohPct: positiveNumber('eol-soh', flags['eol-soh'], base.eolSohPct),
    eolDriftPct: positiveNumber('eol-drift', flags['eol-drift'], base.eolDriftPct),
  };
  const parsed = SohSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const bad = parsed.error.issues[0];
    const flag = bad.path[0] === 'eolSohPct' ? 'eol-soh' : 'eol-drift';
    throw new CliError(`--${flag} is out of range: ${bad.message}.`, 2);
  }
  return parsed.data;
}

export const ANALYSES: readonly Analysis[] = [
  {
    name: 'events',
    summary: 'Charge, discharge, float and rest periods per string, with depth, energy, weakest jar and EFC.',
    flags: {
      string: { type: 'string', help: 'One string (string_id); default every string.' },
      kind: { type: 'string', help: `Periods to list: all, or a list of ${EVENT_KINDS.join(', ')} (default discharge).` },
    },
    check(flags) {
      positiveInt('string', flags.string);
      eventKinds(flags.kind);
    },
    async run({ conn, fromMs, toMs, flags, step }) {
      step(0.1, 'reading the sign convention');
      const sign = (await readSignSettings(conn)).settings;
      step(0.3, 'classing string readings into periods');
      const r = await runEvents(conn, {
        fromMs,
        toMs,
        stringId: positiveInt('string', flags.string),
        kinds: eventKinds(flags.kind),
        thresholds: DEFAULT_EVENT_THRESHOLDS,
        sign,
      });
      const rows: AnalysisRow[] = r.events.map(({ string_id, kind, start, end, depth_pct, ...detail }) => ({
        string_id,
        kind,
        start,
        end,
        score: depth_pct,
        detail: { depth_pct, ...detail },
      }));
      const range = { start: new Date(fromMs).toISOString(), end: new Date(toMs).toISOString() };
      for (const e of r.efc) {
        const detail = { discharged_ah: e.discharged_ah, rated_ah: e.rated_ah };
        rows.push(
          e.battery_id === null
            ? { string_id: e.string_id, kind: 'efc', ...range, score: e.efc, detail }
            : { battery_id: e.battery_id, kind: 'efc', ...range, score: e.efc, detail: { string_id: e.string_id, ...detail } },
        );
      }
      return rows;
    },
  },
  {
    name: 'anomalies',
    summary: 'Jars against their siblings: persistent z-score outliers, hotspots over ambient, voltage spread per string.',
    flags: {
      string: { type: 'string', help: 'One string (string_id); default the whole fleet.' },
      z: {
        type: 'string',
        help: `|z| at or above which a jar is an outlier (default: the workspace's, ${DEFAULT_ANOMALY_THRESHOLDS.zMin} until edited).`,
      },
      hours: {
        type: 'string',
        help: `How long an outlier or hotspot must last (default: the workspace's, ${DEFAULT_ANOMALY_THRESHOLDS.minHours} h until edited).`,
      },
      'hotspot-c': {
        type: 'string',
        help: `°C over the string's ambient for a hotspot (default: the workspace's, ${DEFAULT_ANOMALY_THRESHOLDS.hotspotC} until edited).`,
      },
      resolution: {
        type: 'string',
        help: `auto (raw 5-minute rows up to ${RAW_MAX_MS / 86_400_000} days, hourly rollups beyond), raw or hourly.`,
      },
    },
    check(flags) {
      positiveInt('string', flags.string);
      positiveNumber('z', flags.z, 1);
      positiveNumber('hours', flags.hours, 1);
      positiveNumber('hotspot-c', flags['hotspot-c'], 1);
      if (flags.resolution !== undefined && !(RESOLUTIONS as readonly unknown[]).includes(flags.resolution))
        throw new CliError(`--resolution must be one of ${RESOLUTIONS.join(', ')}, not "${String(flags.resolution)}".`, 2);
    },
    async run({ conn, fromMs, toMs, flags, step }) {
      step(0.2, 'z-scores against siblings, outliers, hotspots and spread');
      // Flags left out: the workspace's stored thresholds, as the dashboards use.
      const base = (await readAnomalyThresholds(conn)).thresholds;
      const r = await runAnomalies(conn, {
        fromMs,
        toMs,
        stringId: positiveInt('string', flags.string),
        thresholds: {
          zMin: positiveNumber('z', flags.z, base.zMin),
          minHours: positiveNumber('hours', flags.hours, base.minHours),
          hotspotC: positiveNumber('hotspot-c', flags['hotspot-c'], base.hotspotC),
        },
        resolution: (flags.resolution as (typeof RESOLUTIONS)[number] | undefined) ?? 'auto',
      });
      const rows: AnalysisRow[] = r.anomalies.map((a) => ({
        battery_id: a.battery_id,
        kind: a.kind,
        start: a.start,
        end: a.end,
        score: a.score,
        detail: {
          string_id: a.string_id,
          [a.kind === 'hotspot' ? 'mean_excess_c' : 'mean_z']: a.mean,
          readings: a.readings,
          resolution: r.resolution,
        },
      }));
      for (const s of r.spread)
        rows.push({
          string_id: s.string_id,
          kind: 'voltage_spread',
          start: new Date(fromMs).toISOString(),
          end: new Date(toMs).toISOString(),
          score: s.max_v,
          detail: { max_v: s.max_v, max_at: s.max_at, mean_v: s.mean_v, last_v: s.last_v, resolution: r.resolution },
        });
      return rows;
    },
  },
  {
    name: 'soh',
    summary: 'State of health per jar (capacity tests and resistance drift), the knee of its trend, and RUL with a range.',
    flags: {
      battery: { type: 'string', help: 'One jar (battery_id); default every jar.' },
      'eol-soh': {
        type: 'string',
        help: `End of life by state of health, % (default: the workspace's, as set on the dashboards; else ${DEFAULT_SOH_SETTINGS.eolSohPct}).`,
      },
      'eol-drift': {
        type: 'string',
        help: `End of life by resistance drift over the jar's baseline, % (default: the workspace's; else ${DEFAULT_SOH_SETTINGS.eolDriftPct}).`,
      },
    },
    check(flags) {
      positiveInt('battery', flags.battery);
      sohSettings(flags);
    },
    async run({ conn, fromMs, toMs, flags, step }) {
      step(0.2, "fitting each jar's resistance trend and its knee");
      // Without --from the whole history is fitted: a trend and its knee need more than the last 30 days.
      const r = await runSoh(conn, {
        settings: sohSettings(flags, await readSohSettings(conn)),
        batteryId: positiveInt('battery', flags.battery),
        fromMs: typeof flags.from === 'string' ? fromMs : undefined,
        toMs,
      });
      return r.rows.map(({ battery_id, soh_pct, first_day, last_day, ...detail }) => ({
        battery_id,
        kind: 'soh',
        start: first_day ?? new Date(fromMs).toISOString(),
        end: last_day ?? new Date(toMs).toISOString(),
        score: soh_pct,
        detail,
      }));
    },
  },
];

const DEFAULT_DAYS = 30;

const HELP = `Usage: battery-workbench analyze <analysis> [--from TIME] [--to TIME] [options]

Analyses (over the hot mirror and the lake together, as the dashboards read them):
${ANALYSES.map((a) => `  ${a.name.padEnd(11)}${a.summary}`).join('\n')}

Options of every analysis:
  --from TIME        Start of the range (ISO date or time, UTC unless it says otherwise; default --to minus ${DEFAULT_DAYS} days;
                     soh: the whole history).
  --to TIME          End of the range, exclusive (default now).
  --json             Print a JSON array of rows: battery_id or string_id, kind, start, end, score and detail.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.
${ANALYSES.map(
  (a) =>
    `\nOptions of ${a.name}:\n${Object.entries(a.flags)
      .map(([name, f]) => `  --${`${name}${f.type === 'string' ? ' X' : ''}`.padEnd(17)}${f.help}`)
      .join('\n')}`,
).join('\n')}

The sign convention of string current (which sign is charge) is a workspace setting per site; see the README.
Progress goes to stderr; Ctrl+C stops the analysis.
Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled.`;

function parseTime(flag: string, text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new CliError(`--${flag} must be an ISO date or time such as 2024-03-01 or 2024-03-01T12:00Z, not "${text}".`, 2);
  return ms;
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'Battery analytics: discharge events and cycles, sibling anomalies, state of health with knee and RUL.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const options: Record<string, { type: 'string' | 'boolean' }> = {
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
      workspace: { type: 'string' },
    };
    for (const a of ANALYSES) for (const [name, f] of Object.entries(a.flags)) options[name] = { type: f.type };
    const { values, positionals } = parseCommandArgs(analyzeCommand, argv, options);
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const [name, ...extra] = positionals;
    if (name === undefined) throw new CliError(`Name an analysis: ${ANALYSES.map((a) => a.name).join(', ')}. See --help.`, 2);
    const analysis = ANALYSES.find((a) => a.name === name);
    if (!analysis) throw new CliError(`There is no analysis "${name}"; there are ${ANALYSES.map((a) => a.name).join(', ')}.`, 2);
    if (extra.length > 0) throw new CliError(`Unexpected argument "${extra[0]}". See --help.`, 2);
    const flags = values as Flags;
    for (const other of ANALYSES)
      for (const flag of Object.keys(other.flags))
        if (flags[flag] !== undefined && !(flag in analysis.flags)) throw new CliError(`--${flag} is not an option of analyze ${name}.`, 2);
    analysis.check(flags);
    const toMs = typeof values.to === 'string' ? parseTime('to', values.to) : Date.now();
    const fromMs = typeof values.from === 'string' ? parseTime('from', values.from) : toMs - DEFAULT_DAYS * 86_400_000;
    if (fromMs >= toMs) throw new CliError('--from must be before --to.', 2);

    const cli = await openCliWorkbench(typeof values.workspace === 'string' ? values.workspace : undefined);
    const bar = createProgressBar({ stream: io.stderr, isTTY: io.isTTY, columns: io.columns, label: `analyze ${name}` });
    let interrupted = false;
    let active: DuckDBConnection | null = null;
    const offInterrupt = io.onInterrupt(() => {
      interrupted = true;
      active?.interrupt();
    });
    const started = Date.now();
    try {
      const rows = await cli.workbench.engine.withConnection(async (conn) => {
        active = conn;
        try {
          return await analysis.run({
            conn,
            fromMs,
            toMs,
            flags,
            step: (fraction, message) => {
              bar.update({ fraction, message });
              if (!io.isTTY) io.stderr.write(`analyze ${name}: ${message}\n`);
            },
          });
        } finally {
          active = null;
        }
      });
      bar.done();
      io.stderr.write(`analyze ${name}: ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      await print(io, rows, flags.json === true);
      return 0;
    } catch (err) {
      bar.done();
      if (interrupted) {
        io.stderr.write('Cancelled.\n');
        return 130;
      }
      throw new CliError(`The ${name} analysis failed: ${errorMessage(err).split('\n')[0]}`);
    } finally {
      offInterrupt();
      await cli.close();
    }
  },
};

async function print(io: CliIo, rows: AnalysisRow[], json: boolean): Promise<void> {
  if (json) {
    await writeOut(io.stdout, `${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    await writeOut(io.stdout, 'Nothing found in the range.\n');
    return;
  }
  const columns = ['id', 'kind', 'start', 'end', 'score', 'detail'].map((n) => ({
    name: n,
    type: n === 'score' ? 'DOUBLE' : 'VARCHAR',
    alignRight: n === 'score',
  }));
  const text = rows.map((r) => [
    'battery_id' in r ? `jar ${r.battery_id}` : `string ${r.string_id}`,
    r.kind,
    r.start,
    r.end,
    r.score === null ? '' : String(r.score),
    Object.entries(r.detail)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' '),
  ]);
  await writeOut(io.stdout, renderTable(columns, text, io.columns && io.columns > 20 ? io.columns : 200, 120));
}
