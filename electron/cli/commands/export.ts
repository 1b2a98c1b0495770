import { reportOf } from '../../../shared/api/jobs';
import { readFile } from 'node:fs/promises';
import { EXPORT_FORMATS, type ExportFormat } from '../../../shared/api/export';
import type { JobHandle, JobSummary } from '../../../shared/api/jobs';
import { checkSliceSpec, describeSpecIssues, specFromJson, type SliceSpec } from '../../../shared/domain/slice-spec';
import { formatBytes, formatCount } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { describeApiError, openCliWorkbench, waitWithProgress, type CliWorkbench } from '../workbench-client';
import { writeOut } from '../write-out';
import { errorMessage } from '../../../shared/api/errors';

const HELP = `Usage: battery-workbench export --spec <file> [--out <folder>] [options]
       battery-workbench export --sql <query> [--format csv|parquet|json] [--out <file>] [options]

Training slice (--spec): writes <out>/<split>/part-*.parquet and <out>/manifest.json with the spec, the SQL
run, the tier watermark and source files, the schema, every file's rows and sha256, and a contentHash over
the rows in order. The spec is JSON (see "Training-slice export" in the README); a manifest.json from an
earlier export is accepted too and gives the same rows and contentHash again. The folder must not exist
(or be empty); it appears only when the export is complete.

Query (--sql): writes the whole result of one SELECT to a CSV, Parquet or JSON file.

Options:
  --spec FILE        The slice spec (or a slice manifest) as JSON.
  --out PATH         Slice: a new or empty folder. Query: a file or a folder.
                     Default: <workspace>/exports/<name>-<time>.
  --sql QUERY        One SELECT to export (instead of --spec).
  --format FORMAT    ${EXPORT_FORMATS.join(' | ')} for --sql (default csv). With --spec: parquet (default) or
                     bdf, the Battery Data Format (the same as "format": "bdf" in the spec): one
                     <split>/battery-<id>.bdf.parquet per jar from telemetry, with Test Time / s, Voltage / V,
                     Current / A (the jar's string current), Unix Time / s (DOUBLE) and the temperatures, and
                     the jar, string, system, site and model ids in the Parquet key-value metadata.
  --sync             Sync the hot mirror from PostgreSQL first (starts the embedded one). Without it the
                     slice reads the mirror as last synced; the manifest says when that was.
  --workspace DIR    Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --json             Print the manifest (slice) or the file report (query) as JSON on stdout.
  -h, --help         Show this help.

Exit codes: 0 written, 1 failed, 2 bad usage or a bad spec (each problem names its field), 130 cancelled.`;

async function readSpec(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read the spec ${file}: ${errorMessage(err)}`, 2);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(`The spec ${file} is not JSON: ${errorMessage(err)}`, 2);
  }
}

async function waitForJob<R>(cli: CliWorkbench, io: CliIo, job: JobHandle<R>, label: string): Promise<JobSummary<R> | null> {
  const summary = await waitWithProgress(cli.workbench, io, job, label);
  if (summary.state === 'cancelled') {
    io.stderr.write('Cancelled; nothing was left behind.\n');
    return null;
  }
  if (summary.error)
    throw new CliError(summary.error.detail ? `${summary.error.message}\n  ${summary.error.detail}` : summary.error.message);
  return summary;
}

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'Export a training slice (spec or manifest) to Parquet with a manifest, or a query to a file.',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(exportCommand, argv, {
      spec: { type: 'string' },
      out: { type: 'string' },
      sql: { type: 'string' },
      format: { type: 'string' },
      sync: { type: 'boolean' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new CliError(`Unexpected argument "${positionals[0]}". Run \`battery-workbench export --help\`.`, 2);
    if ((values.spec === undefined) === (values.sql === undefined)) throw new CliError('Give either --spec <file> or --sql <query>.', 2);
    const format = values.format ?? 'csv';
    if (values.spec !== undefined && values.format !== undefined && !['parquet', 'bdf'].includes(values.format))
      throw new CliError(`--format with --spec must be parquet or bdf, not "${values.format}".`, 2);
    if (values.spec === undefined && !(EXPORT_FORMATS as readonly string[]).includes(format))
      throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, not "${format}".`, 2);

    let spec: SliceSpec | null = null;
    if (values.spec !== undefined) {
      // Check the spec before opening the workspace: a bad field is a usage error, named.
      const raw = specFromJson(await readSpec(values.spec));
      const given = values.format !== undefined && typeof raw === 'object' && raw !== null ? { ...raw, format: values.format } : raw;
      const checked = checkSliceSpec(given);
      if (!checked.ok) throw new CliError(`The spec ${values.spec} is not valid:\n${describeSpecIssues(checked.issues)}`, 2);
      spec = checked.spec;
    }

    const cli = await openCliWorkbench(values.workspace);
    try {
      if (values.sync) {
        const synced = await cli.api.data.sync({});
        if (!synced.ok) throw new CliError(`Could not sync the hot mirror: ${describeApiError(synced.error)}`);
      }
      if (spec !== null) {
        const started = await cli.api.slice.run(values.out === undefined ? { spec } : { spec, path: values.out });
        if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
        const summary = await waitForJob(cli, io, started.value, 'export');
        if (!summary) return 130;
        const report = reportOf(summary);
        const m = report.manifest;
        if (values.json) {
          await writeOut(io.stdout, `${JSON.stringify(m, null, 2)}\n`);
        } else {
          const mirror = m.sources.hotMirror[m.spec.dataset];
          const lines = [
            `Wrote ${formatCount(m.rows)} rows (${formatBytes(m.bytes)}) to ${report.dir} in ${(report.elapsedMs / 1000).toFixed(1)} s`,
            ...m.files.map((f) => `  ${f.path.padEnd(28)} ${formatCount(f.rows).padStart(12)} rows  sha256 ${f.sha256.slice(0, 16)}…`),
            `  contentHash ${m.contentHash}`,
            `  tier split ${m.sources.tierSplit[m.spec.dataset] ?? 'none (all rows from the hot mirror)'}; hot mirror synced ${mirror?.syncedAt ?? 'never'}`,
            `  manifest ${report.manifestPath}`,
            '',
          ];
          await writeOut(io.stdout, lines.join('\n'));
        }
        return 0;
      }
      const started = await cli.api.export.query({
        sql: values.sql ?? '',
        format: format as ExportFormat,
        name: 'query',
        ...(values.out !== undefined ? { path: values.out } : {}),
      });
      if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
      const summary = await waitForJob(cli, io, started.value, 'export');
      if (!summary) return 130;
      const file = reportOf(summary);
      if (values.json) await writeOut(io.stdout, `${JSON.stringify(file, null, 2)}\n`);
      else await writeOut(io.stdout, `Wrote ${formatCount(file.rows)} rows (${formatBytes(file.bytes)}) to ${file.path}\n`);
      return 0;
    } finally {
      await cli.close();
    }
  },
};
