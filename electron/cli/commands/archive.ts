import { lakeFlagHelp } from '../../core/workspace/stores';
import { reportOf } from '../../../shared/api/jobs';
import { ARCHIVABLE_DATASETS, type ArchivableDataset } from '../../../shared/api/archive';
import { formatBytes, formatCount } from '../../../shared/format';
import { resolveHotConfig } from '../../core/hot/hot-config';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { describeApiError, openCliWorkbench, waitWithProgress } from '../workbench-client';
import { writeOut } from '../write-out';
import { rollupLines } from '../output/rollup-line';

const HELP = `Usage: battery-workbench archive --older-than <N>d [options]

Moves rows older than the hot window from PostgreSQL into the Parquet lake, one UTC day per batch:
export, verify (row count, min/max time and a checksum equal to PostgreSQL's), publish, then delete
exactly the verified rows. Safe to kill at any moment: the next run finishes the work. Built for cron:

  15 2 * * *  battery-workbench archive --older-than 7d --json >> /var/log/battery-archive.json

Options:
  --older-than Nd    Archive every row before the start (UTC) of the day N days ago. Required.
  --dataset NAME     ${ARCHIVABLE_DATASETS.join(' | ')} (repeat; default: all).
  --dry-run          Plan only: rows, partitions, PostgreSQL bytes to free, estimated Parquet size.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --pg-url URL       Archive from this PostgreSQL instead of the embedded one (password from the URL or $PGPASSWORD).
${lakeFlagHelp(21)}
  --json             Print the report as one JSON object on stdout.
  -h, --help         Show this help.

Exit codes: 0 every batch is done, 1 something failed (what happened and what to do on stderr; nothing is
lost, run again), 2 bad usage, 130 cancelled (finished batches are complete).`;

export const archiveCommand: CliCommand = {
  name: 'archive',
  summary: 'Archive old PostgreSQL rows to the Parquet lake (verified, crash-safe; for cron).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(archiveCommand, argv, {
      'older-than': { type: 'string' },
      dataset: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      workspace: { type: 'string' },
      'pg-url': { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const older = values['older-than'];
    const m = older === undefined ? null : /^(\d+)d$/.exec(older);
    if (!m) throw new CliError(`--older-than must be a number of days like 7d${older ? `, not "${older}"` : ''}.`, 2);
    const datasets = (values.dataset as unknown as string[] | undefined) ?? [...ARCHIVABLE_DATASETS];
    for (const d of datasets) {
      if (!(ARCHIVABLE_DATASETS as readonly string[]).includes(d))
        throw new CliError(`--dataset must be one of ${ARCHIVABLE_DATASETS.join(', ')}, not "${d}".`, 2);
    }
    const pgUrl = values['pg-url'];
    const { workbench, api, close } = await openCliWorkbench(values.workspace, pgUrl ? { hot: resolveHotConfig({ pgUrl }) } : undefined, {
      lake: values.lake,
    });
    try {
      const started = await api.archive.start({
        olderThanDays: Number(m[1]),
        datasets: datasets as ArchivableDataset[],
        dryRun: values['dry-run'] === true,
      });
      if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
      const summary = await waitWithProgress(workbench, io, started.value, 'archive');
      if (summary.state === 'cancelled') {
        io.stderr.write('Cancelled. Every finished batch is complete; run again to go on.\n');
        return 130;
      }
      if (summary.error) throw new CliError(`The archive did not finish: ${summary.error.message}`);
      const report = reportOf(summary);
      if (values.json) {
        await writeOut(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
      } else if (report.dryRun) {
        const lines = [`Dry run: rows before ${report.cutoff} would move to the lake`];
        for (const p of report.plan) {
          lines.push(
            `  ${p.dataset}: ${formatCount(p.rows)} rows in ${p.partitions.length} day(s)${p.partitions.length ? ` (${p.partitions[0]} .. ${p.partitions[p.partitions.length - 1]})` : ''}, ` +
              `frees ~${formatBytes(p.postgresBytes)} in PostgreSQL, ~${formatBytes(p.estimatedParquetBytes)} of Parquet`,
          );
        }
        await writeOut(io.stdout, `${lines.join('\n')}\n`);
      } else {
        const lines = [`Archived ${formatCount(report.rowsArchived)} rows before ${report.cutoff} in ${report.batches.length} batch(es)`];
        for (const b of report.batches)
          lines.push(`  ${b.dataset} ${b.day}: ${formatCount(b.rows)} rows, ${formatBytes(b.parquetBytes)}, ${b.state}`);
        lines.push(
          `  PostgreSQL: ~${formatBytes(report.reclaimedBytes.reusable)} freed for reuse, ${formatBytes(report.reclaimedBytes.returnedToOs)} returned to the OS`,
          ...rollupLines(report),
        );
        await writeOut(io.stdout, `${lines.join('\n')}\n`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
