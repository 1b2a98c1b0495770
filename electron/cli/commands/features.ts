import { reportOf } from '../../../shared/api/jobs';
import type { FeatureDrift, FeatureVectors } from '../../../shared/api/features';
import { unmeasuredReason } from '../../../shared/domain/psi';
import { formatCount } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, subcommandOf, type CliCommand, type CliIo } from '../command';
import { cellText } from '../output/cell-text';
import { isNumericType, renderTable } from '../output/table';
import { describeApiError, openCliWorkbench, waitWithProgress } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench features list [--json] [--workspace DIR]
       battery-workbench features materialize [--set S] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--full] [--json] [--workspace DIR]
       battery-workbench features get --set S [--version N] [--battery ID | --entity ID] [--json] [--workspace DIR]
       battery-workbench features drift --set S [--version N] [--reference-from DAY --reference-to DAY] [--threshold X] [--json]

Feature sets are named SQL definitions over the unified views, one row per jar, string or site per UTC day,
versioned: changing a set's SQL or columns makes a new version, and every version stays readable (its files
in <lake>/features/<set>/v<N>/date=YYYY-MM-DD/, its definition in <lake>/features/<set>/v<N>/_definition.json,
its view features.<set>_v<N>). A training slice names them as "features": ["<set>@v<N>"].

list         Every set: its entity, owner, columns, and each version with its hash and what is materialized.
materialize  Brings the set (default: every set) up to date in the lake: only the days whose input rows changed
             (new readings, late rows, edits) are recomputed, unless --full. Progress on stderr; Ctrl+C stops
             it after the day being written (finished days are kept).
get          The latest feature vector of each entity (jar, string or site) of the set's current version (or
             --version N), from the serving table kept by materialize.
drift        Distribution drift of each numeric column: the population stability index (PSI) of each UTC week
             against a reference window (default: the version's first 28 days, half of a history under 8
             weeks, after the set's lookback days when two weeks are left), over the reference's deciles.
             Below 0.1 stable, 0.1 to 0.25 moderate, at or above the threshold (default 0.25, the workspace's
             setting) shifted.

Options:
  --set S            The feature set (get: required; materialize: default every set).
  --from, --to       materialize only: first and last UTC day (inclusive).
  --full             materialize only: recompute every day in range.
  --version N        get and drift: a stored version (default: the current definition's).
  --reference-from, --reference-to
                     drift only: the reference window, first day and the day after its last (UTC, YYYY-MM-DD).
  --threshold X      drift only: the PSI alarm line for this run (default: the workspace's, 0.25).
  --battery ID       get only: one entity (the jar, string or site id; --entity is the same).
  --json             Print the result as one JSON object.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.

Exit codes: 0 done, 1 the job failed or the set does not exist, 2 bad usage, 130 cancelled.`;

const SUBCOMMANDS = ['list', 'materialize', 'get', 'drift'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const TAKES: Record<string, readonly Sub[]> = {
  set: ['materialize', 'get', 'drift'],
  from: ['materialize'],
  to: ['materialize'],
  full: ['materialize'],
  version: ['get', 'drift'],
  'reference-from': ['drift'],
  'reference-to': ['drift'],
  threshold: ['drift'],
  battery: ['get'],
  entity: ['get'],
};

function intFlag(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d{1,10}$/.test(text.trim())) throw new CliError(`--${name} must be a whole number, not "${text}".`, 2);
  return Number(text);
}

function vectorsText(v: FeatureVectors, width: number | undefined): string {
  if (v.rows.length === 0) return `${v.set} v${v.version}: no rows (materialize it first)\n`;
  const columns = v.columns.map((c) => ({
    name: c.unit ? `${c.name} [${c.unit}]` : c.name,
    type: c.type,
    alignRight: isNumericType(c.type),
  }));
  const rows = v.rows.map((r) => v.columns.map((c) => cellText(r[c.name], c.type)));
  return `${v.set} v${v.version}: latest values of ${formatCount(v.rows.length)} ${v.key}(s)\n${renderTable(columns, rows, width && width > 20 ? width : 240, 120)}\n`;
}

function driftText(d: FeatureDrift): string {
  const lines = [
    `${d.set} v${d.version}: PSI by week against ${d.reference.from} to ${d.reference.to} (${d.bins} bins; shifted at >= ${d.threshold})`,
  ];
  for (const c of d.columns) {
    const name = c.unit ? `${c.name} [${c.unit}]` : c.name;
    if (c.maxPsi === null) {
      lines.push(`  ${name}: not measured, ${unmeasuredReason(c.weeks, d.reference.to) ?? 'no PSI'}`);
      continue;
    }
    const verdict = c.shiftedWeeks.length === 0 ? 'stable' : `shifted in ${c.shiftedWeeks.length} week(s): ${c.shiftedWeeks.join(', ')}`;
    lines.push(`  ${name}: max ${c.maxPsi.toFixed(3)}, ${verdict}`);
  }
  return `${lines.join('\n')}\n`;
}

export const featuresCommand: CliCommand = {
  name: 'features',
  summary: 'Feature sets: list, materialize into the lake (incremental), get the latest vectors, measure drift.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(featuresCommand, argv, {
      set: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      full: { type: 'boolean' },
      version: { type: 'string' },
      battery: { type: 'string' },
      entity: { type: 'string' },
      'reference-from': { type: 'string' },
      'reference-to': { type: 'string' },
      threshold: { type: 'string' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = subcommandOf(featuresCommand, positionals, SUBCOMMANDS, TAKES, values);
    if ((sub === 'get' || sub === 'drift') && values.set === undefined)
      throw new CliError(`features ${sub} needs --set S (see \`features list\`).`, 2);
    const refFrom = values['reference-from'];
    const refTo = values['reference-to'];
    if ((refFrom === undefined) !== (refTo === undefined)) throw new CliError('Give --reference-from and --reference-to together.', 2);
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0 && threshold <= 10))
      throw new CliError(`--threshold must be a number above 0 and at most 10, not "${values.threshold}".`, 2);
    if (values.battery !== undefined && values.entity !== undefined) throw new CliError('Give --battery or --entity, not both.', 2);
    const version = intFlag('version', values.version);
    const entity = intFlag(values.battery !== undefined ? 'battery' : 'entity', values.battery ?? values.entity);
    const { workbench, api, close } = await openCliWorkbench(values.workspace);
    try {
      if (sub === 'list') {
        const r = await api.features.list({});
        if (!r.ok) throw new CliError(describeApiError(r.error));
        if (values.json) {
          await writeOut(io.stdout, `${JSON.stringify(r.value, null, 2)}\n`);
          return 0;
        }
        const lines: string[] = [];
        for (const s of r.value.sets) {
          lines.push(
            `${s.name}  (per ${s.entity}: ${s.key}; owner ${s.owner}${s.defined ? '' : '; no longer defined'})`,
            `  ${s.description}`,
          );
          lines.push(`  columns: ${s.columns.map((c) => (c.unit ? `${c.name} [${c.unit}]` : c.name)).join(', ')}`);
          if (s.versions.length === 0) lines.push('  no version materialized yet');
          for (const v of s.versions)
            lines.push(
              `  v${v.version}${v.current ? ' (current)' : ''}  ${v.hash.slice(0, 19)}  ${formatCount(v.days)} day(s), ${formatCount(v.rows)} row(s)` +
                `${v.latestEventTime ? `, latest ${v.latestEventTime}` : ''}  view ${v.view}`,
            );
        }
        await writeOut(io.stdout, `${lines.join('\n')}\n`);
        return 0;
      }
      if (sub === 'get') {
        const r = await api.features.get({
          set: values.set as string,
          ...(version !== undefined ? { version } : {}),
          ...(entity !== undefined ? { entity } : {}),
        });
        if (!r.ok) throw new CliError(describeApiError(r.error), r.error.code === 'INVALID_REQUEST' ? 2 : 1);
        await writeOut(io.stdout, values.json ? `${JSON.stringify(r.value, null, 2)}\n` : vectorsText(r.value, io.columns));
        return 0;
      }
      if (sub === 'drift') {
        const r = await api.features.drift({
          set: values.set as string,
          ...(version !== undefined ? { version } : {}),
          ...(refFrom !== undefined && refTo !== undefined ? { reference: { from: refFrom, to: refTo } } : {}),
          ...(threshold !== undefined ? { threshold } : {}),
        });
        if (!r.ok) throw new CliError(describeApiError(r.error), r.error.code === 'INVALID_REQUEST' ? 2 : 1);
        await writeOut(io.stdout, values.json ? `${JSON.stringify(r.value, null, 2)}\n` : driftText(r.value));
        return 0;
      }
      const started = await api.features.materialize({
        ...(values.set !== undefined ? { set: values.set } : {}),
        ...(values.from !== undefined ? { from: values.from } : {}),
        ...(values.to !== undefined ? { to: values.to } : {}),
        full: values.full === true,
      });
      if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
      const summary = await waitWithProgress(workbench, io, started.value, 'features');
      if (summary.state === 'cancelled') {
        io.stderr.write('Cancelled. Every day written before is complete; run again to go on.\n');
        return 130;
      }
      if (summary.error) throw new CliError(`Materializing did not finish: ${describeApiError(summary.error)}`);
      const report = reportOf(summary);
      if (values.json) {
        await writeOut(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
        return 0;
      }
      const lines = report.sets.map(
        (s) =>
          `${s.set} v${s.version}${s.createdVersion ? ' (new version)' : ''}: ${formatCount(s.recomputed)} of ${formatCount(s.days)} day(s) recomputed, ` +
          `${formatCount(s.rows)} row(s) in ${formatCount(s.files)} file(s)`,
      );
      await writeOut(io.stdout, `${lines.join('\n')}\n`);
      return 0;
    } finally {
      await close();
    }
  },
};
