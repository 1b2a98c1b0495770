import { reportOf } from '../../../shared/api/jobs';
import { PARQUET_CODECS, type ConvertRequestInput, type ConvertTarget, type QualityWarning } from '../../../shared/api/convert';
import { formatBytes, formatCount } from '../../../shared/format';
import { CliError } from '../cli-error';
import { parseCommandArgs, type CliCommand, type CliIo } from '../command';
import { describeApiError, openCliWorkbench, waitWithProgress } from '../workbench-client';
import { writeOut } from '../write-out';
import { rollupLines } from '../output/rollup-line';

const HELP = `Usage: battery-workbench convert <inputs...> --out <folder | lake:dataset> [options]

Converts CSV files (plain, .gz, tab-separated; folders are searched) to Parquet. Every column of every
row is parsed; by default one bad row fails the whole conversion and nothing is written. Output files
appear only when complete and never replace an existing file.

Options:
  --out TARGET              A folder (one <name>.parquet per CSV) or lake:<dataset> (the workspace lake).
  --codec CODEC             ${PARQUET_CODECS.join(' | ')} (default zstd).
  --level N                 zstd level 1-22.
  --row-group-size N        Rows per row group (default 122880).
  --partition-by-day COLUMN Hive partitions date=YYYY-MM-DD by this timestamp column (UTC day).
  --delimiter C             Field delimiter (default: sniffed).
  --no-header               The first line is data, not column names.
  --skip-bad-rows           Leave bad rows out (reported) instead of failing.
  --strict                  Fail a file of readings (battery_id or string_id, ts, voltage_v, ...) that the quality
                            checks warn about (time going backwards or repeated, values out of physical range,
                            a probable unit mistake or flipped current sign); nothing is written. Without it the
                            warnings are reported and the file is converted.
  --workspace DIR           Workspace folder (default: the desktop app's, or $BATTERY_WORKBENCH_WORKSPACE).
  --json                    Print the report as one JSON object on stdout.
  -h, --help                Show this help.

Exit codes: 0 converted, 1 a file could not be converted (file, line and reason on stderr), 2 bad usage, 130 cancelled.`;

/** The quality warnings as lines: the check and its message, then a few examples. */
function warningLines(warnings: readonly QualityWarning[]): string[] {
  if (warnings.length === 0) return [];
  return [
    `${formatCount(warnings.length)} quality warning(s):`,
    ...warnings.flatMap((w) => [`  warning ${w.file}: ${w.message}`, ...w.examples.map((e) => `    ${e}`)]),
  ];
}

function parseTarget(out: string | undefined): ConvertTarget {
  if (!out) throw new CliError('--out is required: a folder or lake:<dataset>.', 2);
  if (out.startsWith('lake:')) return { kind: 'lake', dataset: out.slice(5) };
  return { kind: 'folder', path: out };
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--${name} must be a positive whole number, not "${v}".`, 2);
  return n;
}

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'Convert CSV files to Parquet (a folder or a lake dataset).',
  help: HELP,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(convertCommand, argv, {
      out: { type: 'string' },
      codec: { type: 'string' },
      level: { type: 'string' },
      'row-group-size': { type: 'string' },
      'partition-by-day': { type: 'string' },
      delimiter: { type: 'string' },
      'no-header': { type: 'boolean' },
      'skip-bad-rows': { type: 'boolean' },
      strict: { type: 'boolean' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) {
      await writeOut(io.stdout, `${HELP}\n`);
      return 0;
    }
    if (positionals.length === 0) throw new CliError('Name at least one CSV file or folder to convert.', 2);
    const codec = values.codec ?? 'zstd';
    if (!(PARQUET_CODECS as readonly string[]).includes(codec))
      throw new CliError(`--codec must be one of ${PARQUET_CODECS.join(', ')}, not "${codec}".`, 2);
    const level = positiveInt('level', values.level);
    const rowGroupSize = positiveInt('row-group-size', values['row-group-size']);
    const request: ConvertRequestInput = {
      inputs: positionals,
      target: parseTarget(values.out),
      codec: codec as ConvertRequestInput['codec'],
      onBadRows: values['skip-bad-rows'] ? 'skip' : 'fail',
      strict: values.strict === true,
      dialect: {
        ...(values.delimiter !== undefined ? { delimiter: values.delimiter === '\\t' ? '\t' : values.delimiter } : {}),
        ...(values['no-header'] ? { header: false } : {}),
      },
      ...(level !== undefined ? { compressionLevel: level } : {}),
      ...(rowGroupSize !== undefined ? { rowGroupSize } : {}),
      ...(values['partition-by-day'] !== undefined ? { partitionByDay: values['partition-by-day'] } : {}),
    };

    const { workbench, api, close } = await openCliWorkbench(values.workspace);
    try {
      const started = await api.convert.start(request);
      if (!started.ok) throw new CliError(describeApiError(started.error), started.error.code === 'INVALID_REQUEST' ? 2 : 1);
      const summary = await waitWithProgress(workbench, io, started.value, 'convert');
      if (summary.state === 'cancelled') {
        io.stderr.write('Cancelled; no file was left behind.\n');
        return 130;
      }
      if (summary.error) {
        const warned = summary.error.data?.warnings;
        if (warned && !values.json) io.stderr.write(`${warningLines(warned).join('\n')}\n`);
        throw new CliError(summary.error.message);
      }
      const report = reportOf(summary);
      if (values.json) {
        await writeOut(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
      } else {
        const lines = [
          `Converted ${report.files.length} file(s): ${formatCount(report.rows)} rows written, ${formatCount(report.rejected)} rejected`,
          `  CSV ${formatBytes(report.inputBytes)} -> Parquet ${formatBytes(report.outputBytes)} (${report.ratio.toFixed(1)}x smaller, ${report.codec}) in ${(report.elapsedMs / 1000).toFixed(1)} s`,
          ...rollupLines(report),
          ...report.files.flatMap((f) => f.outputs.map((o) => `  ${o}`)),
          ...report.rejects.slice(0, 20).map((r) => `  rejected ${r.file}, line ${r.line}: ${r.reason}`),
          ...warningLines(report.warnings ?? []),
          '',
        ];
        await writeOut(io.stdout, lines.join('\n'));
      }
      return 0;
    } finally {
      await close();
    }
  },
};
