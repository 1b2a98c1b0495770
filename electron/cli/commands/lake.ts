import type { CompactionReport, LakeCheckReport } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { describeApiError, openCliWorkbench, waitWithProgress } from '../workbench-client';
import { writeOut } from '../write-out';

const HELP = `Usage: battery-workbench lake check [--dataset D] [--repair] [--json] [--workspace DIR]
       battery-workbench lake compact --dataset D [--json] [--workspace DIR]

check    Reads every manifest and file of the lake (or of one dataset) and reports each problem with its
         kind, dataset, path (relative to the lake) and detail. It proves that every file a manifest names
         is there with its recorded sha256 and row count, that no visible Parquet file is unknown, that no
         key is visible from two files or from both the lake and the hot tier, and that no temp file,
         hidden file or half-done job is left over.
           missing-file, checksum-mismatch, unlisted-file, overlap, stray-temp, unreadable-manifest,
           unfinished-job
         --repair does only what loses nothing: it finishes journaled compactions and conversions, removes
         temp and hidden files whose rows are proven present elsewhere, and says what it did.
compact  Rewrites every partition of a dataset that holds several files into one (the Inspector's button):
         verified (schema, rows, content checksum), published before the originals go, crash-safe.

Options:
  --dataset D        One lake dataset (check: default the whole lake; compact: required).
  --repair           check only: repair what can be repaired without losing anything.
  --json             Print the report as one JSON object on stdout.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  -h, --help         Show this help.

Exit codes: 0 the lake is healthy (check) or compacted (compact), 1 a problem was found or the job failed,
2 bad usage, 130 cancelled.`;

export const lakeCommand: CliCommand = {
  name: 'lake',
  summary: 'Check the lake (manifests, files, checksums, overlaps; --repair) or compact a dataset.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(lakeCommand, argv, {
      dataset: { type: 'string' },
      repair: { type: 'boolean' },
      json: { type: 'boolean' },
      workspace: { type: 'string' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    const sub = positionals[0];
    if (positionals.length !== 1 || (sub !== 'check' && sub !== 'compact')) {
      throw new CliError(
        `Say what to do: \`lake check\` or \`lake compact --dataset D\`${sub ? `, not "${positionals.join(' ')}"` : ''}.`,
        2,
      );
    }
    if (sub === 'compact' && !values.dataset) throw new CliError('lake compact needs --dataset D.', 2);
    if (sub === 'compact' && values.repair) throw new CliError('--repair belongs to lake check.', 2);
    const { workbench, api, close } = await openCliWorkbench(values.workspace);
    try {
      const started =
        sub === 'check'
          ? await api.storage.checkLake({ ...(values.dataset ? { dataset: values.dataset } : {}), repair: values.repair === true })
          : await api.storage.compact({ dataset: values.dataset as string });
      if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
      const summary = await waitWithProgress<CompactionReport | LakeCheckReport>(
        workbench,
        io,
        started.value,
        sub === 'check' ? 'lake check' : 'compact',
      );
      if (summary.state === 'cancelled') {
        io.stderr.write(
          sub === 'check' ? 'Cancelled.\n' : 'Cancelled. Every finished partition is complete; the others are as they were.\n',
        );
        return 130;
      }
      if (summary.error) throw new CliError(`The lake ${sub} did not finish: ${summary.error.message}`);
      if (sub === 'compact') {
        const r = summary.report as CompactionReport;
        await writeOut(
          io.stdout,
          values.json
            ? `${JSON.stringify(r, null, 2)}\n`
            : `Compacted ${r.partitions} partition(s): ${r.filesBefore} files → ${r.filesAfter}, ${formatCount(r.rows)} rows, ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}\n`,
        );
        return 0;
      }
      const r = summary.report as LakeCheckReport;
      if (values.json) {
        await writeOut(io.stdout, `${JSON.stringify(r, null, 2)}\n`);
      } else {
        const lines = [
          `${r.ok ? 'The lake is healthy' : `${r.problems.length} problem(s)`}: ${r.location}${r.dataset ? ` (${r.dataset})` : ''}, ${formatCount(r.files)} files, ${formatCount(r.rows)} rows, ${formatBytes(r.bytes)}`,
        ];
        for (const line of r.repaired) lines.push(`  repaired: ${line}`);
        for (const p of r.problems) lines.push(`  ${p.kind}  ${p.path}  ${p.detail}`);
        await writeOut(io.stdout, `${lines.join('\n')}\n`);
      }
      return r.ok ? 0 : 1;
    } finally {
      await close();
    }
  },
};
