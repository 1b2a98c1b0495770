import type {
  LifecyclePolicyInfo,
  LifecyclePolicySetRequest,
  RetentionPlan,
  RetentionReport,
  TierMoveReport,
  TierPlan,
  TierStep,
} from '../../../shared/api/lifecycle';
import { formatBytes, formatCount } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, subcommandOf, type CliCommand } from '../command';
import { textTable } from '../output/table';
import { jobReport, openCliWorkbench, valueOf } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench lifecycle policy [--dataset D [--hot-days N | --hot-default] [--tiers T:N,... | --tiers none]
                                              [--retain-days N | --keep-forever] [--legal-hold on|off]] [--json]
       battery-workbench lifecycle tiers [--dataset D] [--apply] [--json]
       battery-workbench lifecycle retention --dataset D [--apply] [--json]
       (all take --workspace DIR)

Lifecycle policies per lake dataset, kept in the workspace's settings.json (the Lifecycle view edits the same).

policy     Lists every lake dataset's policy, or changes one:
           --hot-days N: the hot window, days of rows PostgreSQL keeps; the scheduled archive job moves older rows to
           the lake (--hot-default: the job's own --older-than). --tiers STANDARD_IA:30,GLACIER_IR:90 (an S3 lake's
           storage classes) or archive:30 (a local lake's archive folder, set in Settings): files of days older than N
           go to that tier, still read by the views; none: they stay where they land.
           --retain-days N keeps raw rows for N days (UTC days
           before today minus N may be deleted), --keep-forever removes the period, --legal-hold on keeps everything
           of the dataset whatever the period says. Only datasets the gold rollups are built from (telemetry,
           string_telemetry) take a period: the rollups keep what their raw rows said.
tiers      A dry run of the tier moves: per dataset with a tier policy (or --dataset D), the bytes per tier today and
           once applied, and what would move. With --apply the files move (a local lake: copied to the archive folder,
           verified, then dropped from the lake folder; S3: the storage class changed in place), journaled so a crash
           is finished by the next run or \`lake check --repair\`. The \`lifecycle\` scheduled job does the same.
retention  A dry run: every day past the period with its files, rows and bytes, and whether it may go. A day goes
           only when the gold rollups hold exactly as many readings for it as its raw rows (counted now), and no
           legal hold is on. With --apply those days' raw files are withdrawn (a manifest records the days, rows and
           why), journaled so a crash is finished by the next run or \`lake check --repair\`. Their rollups stay,
           never recomputed; the dashboards keep showing those days.

Options:
  --json             Print JSON.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.

Exit codes: 0 done, 1 failed, 2 bad usage.`;

const SUBCOMMANDS = ['policy', 'tiers', 'retention'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
const TAKES: Record<string, readonly Sub[]> = {
  dataset: ['policy', 'tiers', 'retention'],
  'hot-days': ['policy'],
  'hot-default': ['policy'],
  tiers: ['policy'],
  'retain-days': ['policy'],
  'keep-forever': ['policy'],
  'legal-hold': ['policy'],
  apply: ['tiers', 'retention'],
};

/** `STANDARD_IA:30,GLACIER_IR:90` → steps; `none` → []. */
function tierSteps(text: string | undefined): TierStep[] | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === 'none') return [];
  return text.split(',').map((part) => {
    const m = /^\s*([A-Za-z][A-Za-z_]*)\s*:\s*(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) < 1)
      throw new CliError(`--tiers takes TIER:DAYS,... (e.g. STANDARD_IA:30,GLACIER_IR:90) or none, not ${text}.`, 2);
    return { tier: m[1], afterDays: Number(m[2]) };
  });
}

function policiesText(policies: LifecyclePolicyInfo[], width: number | undefined): string {
  return textTable(
    ['dataset', 'hot', 'tiers', 'retain', 'legal hold', 'note'],
    policies.map((p) => [
      p.dataset,
      p.hotDays === null ? 'job default' : `${p.hotDays} days`,
      p.tiers.length === 0 ? '-' : p.tiers.map((t) => `${t.tier} after ${t.afterDays}d`).join(', '),
      p.retainDays === null ? 'for ever' : `${p.retainDays} days`,
      p.legalHold ? 'on' : 'off',
      p.why ?? '',
    ]),
    width,
  );
}

function tierPlanText(plans: TierPlan[], width: number | undefined): string {
  if (plans.length === 0) return 'No dataset has a tier policy: every file stays where it lands.\n';
  return (
    textTable(
      ['dataset', 'tier', 'today', 'applied'],
      plans.flatMap((p) =>
        p.today.map((t, i) => [
          i === 0 ? p.dataset : '',
          t.tier,
          `${t.files} file(s), ${formatBytes(t.bytes)}`,
          `${p.applied[i].files} file(s), ${formatBytes(p.applied[i].bytes)}`,
        ]),
      ),
      width,
    ) + plans.map((p) => `${p.dataset}: ${p.summary}\n`).join('')
  );
}

function planText(plan: RetentionPlan, width: number | undefined): string {
  const days =
    plan.days.length === 0
      ? ''
      : textTable(
          ['day', 'files', 'rows', 'bytes', 'rollup rows', 'status'],
          plan.days.map((d) => [d.date, String(d.files), formatCount(d.rows), formatBytes(d.bytes), formatCount(d.rollupRows), d.status]),
          width,
        );
  const retired =
    plan.retired.days > 0 ? `Retired earlier: ${plan.retired.days} day(s), ${plan.retired.first} to ${plan.retired.last}.\n` : '';
  return `${days}${plan.summary}\n${retired}`;
}

function wholeDays(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw new CliError(`${flag} must be a whole number of days, 1 or more, not ${text}.`, 2);
  return n;
}

function legalHold(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  if (text !== 'on' && text !== 'off') throw new CliError(`--legal-hold takes on or off, not ${text}.`, 2);
  return text === 'on';
}

export const lifecycleCommand: CliCommand = {
  name: 'lifecycle',
  summary:
    'Lifecycle policies per dataset (hot window, lake tiers, retention, legal hold); tier moves and retention: a dry run, or --apply.',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(lifecycleCommand, argv, {
      json: { type: 'boolean' },
      dataset: { type: 'string' },
      'hot-days': { type: 'string' },
      'hot-default': { type: 'boolean' },
      tiers: { type: 'string' },
      'retain-days': { type: 'string' },
      'keep-forever': { type: 'boolean' },
      'legal-hold': { type: 'string' },
      apply: { type: 'boolean' },
      workspace: { type: 'string' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = subcommandOf(lifecycleCommand, positionals, SUBCOMMANDS, TAKES, values);
    const days = wholeDays('--retain-days', values['retain-days']);
    const hot = wholeDays('--hot-days', values['hot-days']);
    const steps = tierSteps(values.tiers);
    const hold = legalHold(values['legal-hold']);
    if (days !== undefined && values['keep-forever']) throw new CliError('Give --retain-days or --keep-forever, not both.', 2);
    if (hot !== undefined && values['hot-default']) throw new CliError('Give --hot-days or --hot-default, not both.', 2);
    const changes =
      days !== undefined ||
      values['keep-forever'] === true ||
      hold !== undefined ||
      hot !== undefined ||
      values['hot-default'] === true ||
      steps !== undefined;
    if (changes && values.dataset === undefined) throw new CliError('lifecycle policy needs --dataset D to change a policy.', 2);
    if (sub === 'retention' && values.dataset === undefined) throw new CliError('lifecycle retention needs --dataset D.', 2);
    const json = values.json === true;
    const out = (value: unknown, text: string): Promise<void> | void =>
      writeOut(io.stdout, json ? `${JSON.stringify(value, null, 2)}\n` : text);
    const { api, workbench, close } = await openCliWorkbench(values.workspace);
    try {
      if (sub === 'policy') {
        const dataset = values.dataset ?? '';
        const req: LifecyclePolicySetRequest = {
          dataset,
          ...(days !== undefined ? { retainDays: days } : values['keep-forever'] ? { retainDays: null } : {}),
          ...(hold !== undefined ? { legalHold: hold } : {}),
          ...(hot !== undefined ? { hotDays: hot } : values['hot-default'] ? { hotDays: null } : {}),
          ...(steps !== undefined ? { tiers: steps } : {}),
        };
        const r = valueOf(changes ? await api.lifecycle.setPolicy(req) : await api.lifecycle.policies({}));
        const shown = values.dataset === undefined ? r.policies : r.policies.filter((p) => p.dataset === values.dataset);
        if (shown.length === 0) throw new CliError(`The lake has no dataset "${dataset}".`);
        await out({ policies: shown }, policiesText(shown, io.columns));
        return 0;
      }
      if (sub === 'tiers') {
        const { policies } = valueOf(await api.lifecycle.policies({}));
        const names = values.dataset !== undefined ? [values.dataset] : policies.filter((p) => p.tiers.length > 0).map((p) => p.dataset);
        const plans: TierPlan[] = [];
        for (const dataset of names) plans.push(valueOf(await api.lifecycle.tierPlan({ dataset })));
        if (!values.apply) {
          await out({ plans }, tierPlanText(plans, io.columns));
          return 0;
        }
        // With nothing to move, the job still finishes a move a crash left half done.
        const started = valueOf(await api.lifecycle.applyTiers(values.dataset !== undefined ? { dataset: values.dataset } : {}));
        const report = await jobReport<TierMoveReport>(
          workbench,
          io,
          started,
          'lifecycle',
          'Cancelled. Every file is readable where it is; the next run finishes the move.',
        );
        if (report === 130) return report;
        const lines = report.datasets.flatMap((d) =>
          d.moves.map((m) => `  ${d.dataset}: ${m.files} file(s), ${formatBytes(m.bytes)} → ${m.tier}`),
        );
        await out(report, [`Moved ${report.files} file(s), ${formatBytes(report.bytes)}, in ${report.ms} ms.`, ...lines].join('\n') + '\n');
        return 0;
      }
      const dataset = values.dataset ?? '';
      const plan = valueOf(await api.lifecycle.retention({ dataset }));
      if (!values.apply) {
        await out(plan, planText(plan, io.columns));
        return 0;
      }
      // With no day to delete, the job still finishes a retention a crash left half done.
      const going = plan.days.filter((d) => d.status === 'retire').map((d) => d.date);
      const started = valueOf(await api.lifecycle.applyRetention({ dataset, days: going }));
      const report = await jobReport<RetentionReport>(
        workbench,
        io,
        started,
        'retention',
        'Cancelled. Nothing was deleted, or the days done are complete.',
      );
      if (report === 130) return report;
      const kept = report.kept.map((k) => `  kept ${k.date}: ${k.why}`);
      await out(
        report,
        [
          ...(going.length === 0 ? [plan.summary] : []),
          `Deleted the raw rows of ${report.days.length} day(s) of ${dataset}: ${formatCount(report.rows)} rows, ${report.files} file(s), ${formatBytes(report.bytes)}. Their rollups stay.`,
          ...kept,
        ].join('\n') + '\n',
      );
      return 0;
    } finally {
      await close();
    }
  },
};
