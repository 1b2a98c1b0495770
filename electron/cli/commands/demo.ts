import { lakeFlagHelp } from '../../core/workspace/stores';
import { reportOf } from '../../../shared/api/jobs';
import { resolve } from 'node:path';
import { DEMO_SCALE_NAMES, DEMO_SCALES, type DemoScaleName } from '../../../shared/domain/demo-scale';
import { parseExternalUrl } from '../../core/hot/hot-config';

import { openWorkbench } from '../../core/workbench';
import { defaultWorkspaceDir } from '../../core/workspace/paths';
import { APP_VERSION } from '../../core/app-version';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { waitWithProgress } from '../workbench-client';
import { writeOut } from '../write-out';
import { rollupLines } from '../output/rollup-line';
import { visibleControls } from '../output/cell-text';
import { formatDuration } from '../../../shared/format';
import type { DemoFeatures } from '../../../shared/api/data';
import { errorMessage } from '../../../shared/api/errors';
import { MAX_LIVE_SPEED } from '../../../shared/api/settings';
import { workspaceIsEmpty } from '../../core/demo/demo-job';
import { parseLiveSpeed } from '../../core/demo/live-feed';
import { runLiveFeed } from '../live-feed-cli';

const HELP = `Usage: battery-workbench demo [options]

Generates a battery fleet's history (seeded, repeatable): master data, the last --days-hot days of
telemetry and the open alerts go to PostgreSQL; older history goes to the lake as hive-partitioned
Parquet; then the local mirror syncs and the DuckDB views cover both. Replaces the workbench's tables in
the hot store and the demo datasets in the lake.

Options:
  --scale small|full|year
                      small: ${DEMO_SCALES.small.sites} sites, starts in seconds (default).
                      full: the seed's fleet, 9 sites, 2,376 jars, 90 days.
                      year: the same fleet over 365 days (~250M readings, a few minutes), streamed
                      to the lake a day at a time with the rollups built as the days land.
  --days-hot N        Days of telemetry in PostgreSQL (default 7).
  --days-cold N       Days of older history in the lake (default: small ${DEMO_SCALES.small.defaultDaysCold}, full ${DEMO_SCALES.full.defaultDaysCold},
                      year ${DEMO_SCALES.year.defaultDaysCold}).
  --seed N            Generator seed (default fixed: the same seed gives the same fleet).
  --no-features       Skip the last step, materializing the built-in feature sets (jar_daily_stats,
                      string_daily_spread); \`features materialize\` does it later.
  --workspace DIR     Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --pg-url URL        Use this PostgreSQL instead of the embedded one (password from the URL or $PGPASSWORD; never stored).
${lakeFlagHelp(22)}
  --live              Then keep adding readings for the whole fleet (jar and string telemetry, now and then an
                      alert) into PostgreSQL, every 5 minutes, until Ctrl+C. Without
                      --scale, --days-hot, --days-cold or --seed, a workspace that holds the demo already is
                      fed as it is (no new demo); an empty one gets the small demo first.
  --speed N           With --live: N times as often (60 = every 5 s; up to ${MAX_LIVE_SPEED}).
  --json              Print a JSON summary on stdout.
  -h, --help          Show this help.`;

/** The report line of the feature sets the demo materialized (none with --no-features). */
function featureLines(report: DemoFeatures): string[] {
  if (report.featuresError !== undefined)
    return [`  features: materializing failed: ${visibleControls(report.featuresError)} (run \`features materialize\`)`];
  if (report.features === null) return [];
  const sets = report.features.sets.map((s) => `${s.set} v${s.version} (${s.days} days, ${s.rows.toLocaleString('en-US')} rows)`);
  return [`  features: ${sets.join(', ')} in ${formatDuration(report.features.elapsedMs)}`];
}

function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${name} must be a whole number, not "${value}".`, 2);
  return n;
}

/** --live and --speed: the feed's speed, and whether other flags ask for a new demo first; null without --live. */
function liveOptions(values: Record<string, string | boolean | undefined>): { speed: number; generate: boolean } | null {
  if (values.live !== true) {
    if (values.speed !== undefined) throw new CliError('--speed goes with --live (e.g. demo --live --speed 60).', 2);
    return null;
  }
  let speed = 1;
  if (values.speed !== undefined) {
    try {
      speed = parseLiveSpeed(String(values.speed));
    } catch (err) {
      throw new CliError(`--speed: ${errorMessage(err)}`, 2);
    }
  }
  const generate = ['scale', 'days-hot', 'days-cold', 'seed'].some((k) => values[k] !== undefined);
  return { speed, generate };
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Generate the demo battery fleet (PostgreSQL + Parquet lake + views).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(demoCommand, argv, {
      scale: { type: 'string' },
      'days-hot': { type: 'string' },
      'days-cold': { type: 'string' },
      seed: { type: 'string' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      speed: { type: 'string' },
      'no-features': { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const scale = values.scale ?? 'small';
    if (!(DEMO_SCALE_NAMES as readonly string[]).includes(scale))
      throw new CliError(`--scale must be one of ${DEMO_SCALE_NAMES.join(', ')}, not "${scale}".`, 2);
    const daysHot = intOption('days-hot', values['days-hot']);
    const daysCold = intOption('days-cold', values['days-cold']);
    const seed = intOption('seed', values.seed);
    const live = liveOptions(values);
    const workspaceDir = values.workspace ? resolve(values.workspace) : defaultWorkspaceDir();
    const pgUrl = values['pg-url'] ?? null;
    if (pgUrl) parseExternalUrl(pgUrl);

    const workbench = await openWorkbench({
      workspaceDir,
      appVersion: APP_VERSION,
      entry: 'cli',
      pgUrl,
      lakeFlag: values.lake ?? null,
      data: { start: 'lazy' },
    }).catch((err: unknown) => {
      throw new CliError(`Could not open the workspace ${workspaceDir}: ${errorMessage(err)}`);
    });
    try {
      if (live && !live.generate && !(await workspaceIsEmpty(workbench.data.lake, await workbench.data.hotStore())))
        return await runLiveFeed(workbench, io, live.speed, values.json === true);
      const started = workbench.demo.start({
        scale: scale as DemoScaleName,
        ...(daysHot !== undefined ? { daysHot } : {}),
        ...(daysCold !== undefined ? { daysCold } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(values['no-features'] === true ? { features: false } : {}),
      });
      const summary = await waitWithProgress(workbench, io, started, 'demo');
      if (summary.state === 'cancelled') {
        io.stderr.write('Cancelled. Run the demo again for a complete fleet.\n');
        return 130;
      }
      if (summary.error)
        throw new CliError(`The demo failed: ${summary.error.message}${summary.error.detail ? `\n  ${summary.error.detail}` : ''}`);
      const report = reportOf(summary);
      const elapsed = report.elapsedMs + report.sync.elapsedMs + report.rollupMs + (report.features?.elapsedMs ?? 0);
      const out = {
        workspace: workspaceDir,
        scale: report.scale,
        seed: report.seed,
        window: report.window,
        fleet: report.fleet,
        rows: report.rows,
        promised: report.promised,
        lake: { files: report.lakeFiles, bytes: report.lakeBytes },
        mirror: { rows: report.sync.rows, elapsedMs: report.sync.elapsedMs },
        rollupMs: report.rollupMs,
        ...(report.rollupError !== undefined ? { rollupError: report.rollupError } : {}),
        /** The feature sets materialized at the end (null with --no-features or when that failed: featuresError). */
        features: report.features,
        ...(report.featuresError !== undefined ? { featuresError: report.featuresError } : {}),
        elapsedMs: elapsed,
        /** Peak resident memory of this process over its life (Node and DuckDB); PostgreSQL runs in its own processes. */
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        peakRssCovers: 'this process (Node and DuckDB); not PostgreSQL',
        /** The embedded PostgreSQL's data folder (null for an external server). */
        hotDataDir: (await workbench.data.hotStore()).info.dataDir,
      };
      if (values.json) {
        await writeOut(io.stdout, `${JSON.stringify(out, null, 2)}\n`);
      } else {
        const t = report.rows.telemetry ?? { hot: 0, cold: 0 };
        await writeOut(
          io.stdout,
          [
            `Demo fleet (${report.scale}, seed ${report.seed}) in ${workspaceDir}`,
            `  ${report.fleet.sites} sites, ${report.fleet.systems} systems, ${report.fleet.strings} strings, ${report.fleet.jars} jars`,
            `  telemetry: ${t.hot.toLocaleString('en-US')} rows in PostgreSQL since ${report.window.split}, ${t.cold.toLocaleString('en-US')} rows in the lake from ${report.window.start}`,
            `  lake: ${report.lakeFiles} Parquet files, ${(report.lakeBytes / 1e6).toFixed(1)} MB`,
            ...rollupLines(report),
            ...featureLines(report),
            `  done in ${(elapsed / 1000).toFixed(1)} s. Try: battery-workbench query "SELECT tier, count(*) FROM telemetry GROUP BY tier"`,
            '',
          ].join('\n'),
        );
      }
      if (live) return await runLiveFeed(workbench, io, live.speed, values.json === true);
      return 0;
    } finally {
      await workbench.close();
    }
  },
};
