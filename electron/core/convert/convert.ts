import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  emptyConvertReport,
  type ConvertReport,
  type ConvertRequest,
  type ConvertedFile,
  type RejectedRow,
} from '../../../shared/api/convert';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { quoteIdent, quoteLiteral } from '../../../shared/sql';
import { exists, publishFile, TEMP_PREFIX, TEMP_SUFFIX, tempPathFor } from '../files/atomic';
import type { Lake, StagedFile } from '../lake/lake';
import { sha256File, type ManifestFile } from '../lake/manifest';
import { PublishSet, type PublishSetDeps } from '../lake/publish-set';
import { applyOverrides, listInputs, readCsvSql, sniff, type InputFile } from './csv';
import { checkReadings, describeWarnings } from './quality';

export interface ConvertProgress {
  phase: string;
  fraction: number | null;
  rows: number;
  bytes: number;
  message: string;
}

export interface ConvertOptions {
  /** The lake, for `{ kind: 'lake' }` targets: files are staged and published through it, as one journaled batch. */
  lake?: PublishSetDeps;
  signal?: AbortSignal;
  onProgress?: (p: ConvertProgress) => void;
}

const MAX_REJECTS_REPORTED = 1000;

function stem(file: string): string {
  return (
    basename(file)
      .replace(/\.(csv|tsv|txt)(\.gz)?$/i, '')
      .replace(/[^A-Za-z0-9_.-]+/g, '_') || 'data'
  );
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path)).size;
}

async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFilesRecursive(p)));
    else out.push(p);
  }
  return out;
}

function describeError(err: unknown): string {
  return errorMessage(err);
}

/** Where one conversion's outputs are written before they are published: a folder, or the lake's staging. */
interface OutputTarget {
  /** A temp path for one output file, and its final name (a path, or a lake key). */
  single(name: string, id: string): Promise<{ temp: string; final: string }>;
  /** A temp folder for a partitioned COPY, and the final name of a file found in it at `rel`. */
  folder(id: string): Promise<{ temp: string; finalOf(rel: string): string }>;
}

function outputTarget(req: ConvertRequest, lake: Lake | undefined, set: PublishSet | null): OutputTarget {
  if (req.target.kind === 'folder' || !lake || !set) {
    const path = req.target.kind === 'folder' ? req.target.path : '.';
    const dir = resolve(path);
    return {
      single: async (name) => {
        const final = join(dir, `${name}.parquet`);
        return { temp: tempPathFor(final), final };
      },
      folder: async (id) => ({ temp: join(dir, `${TEMP_PREFIX}${process.pid}-${id}`), finalOf: (rel) => join(dir, rel) }),
    };
  }
  const dataset = req.target.dataset;
  return {
    single: async (name, id) => {
      const staged = await lake.stage(`${dataset}/part-${name}-${id}.parquet`);
      await set.track(staged.path);
      return { temp: staged.path, final: staged.key };
    },
    folder: async (id) => {
      const staged = await lake.stage(`${dataset}/convert-${id}`);
      await set.track(staged.path);
      return { temp: staged.path, finalOf: (rel) => `${dataset}/${rel.split(sep).join('/')}` };
    },
  };
}

/** The lake target's outputs, published as one batch with a manifest (see PublishSet). */
async function publishToLake(
  set: PublishSet,
  lake: Lake,
  dataset: string,
  staged: { output: StagedFile; file: ConvertedFile; rows: number }[],
): Promise<void> {
  const files: ManifestFile[] = [];
  for (const s of staged) {
    files.push({
      key: s.output.key,
      rows: s.rows,
      bytes: await sizeOf(s.output.path),
      sha256: await sha256File(s.output.path),
      minTime: null,
      maxTime: null,
    });
  }
  const batchId = `convert-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const published = await set.publish(
    staged.map((s) => s.output),
    {
      batchId,
      dataset,
      source: 'convert',
      writtenAt: new Date().toISOString(),
      rows: files.reduce((a, f) => a + f.rows, 0),
      files,
      inputs: [...new Set(staged.map((s) => s.file.input))],
    },
  );
  for (let i = 0; i < staged.length; i++) {
    staged[i].file.outputs.push(lake.localPath(published[i].key));
    staged[i].file.outputBytes += published[i].size;
  }
}

/**
 * Converts CSV files to Parquet. Every column of every row is parsed (the COPY reads them all);
 * bad rows go to DuckDB's rejects tables and into the report. Output is written under temp
 * names in the target folder and published (no-clobber) only when the whole file is good, so a
 * failed or cancelled conversion leaves nothing behind and never touches files it did not write.
 */
export async function convertCsvFiles(conn: DuckDBConnection, req: ConvertRequest, opts: ConvertOptions): Promise<ConvertReport> {
  const started = Date.now();
  const files = await listInputs(req.inputs);
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  if (req.target.kind === 'lake' && !opts.lake) throw new WorkbenchError('INTERNAL', 'A lake conversion needs the lake.');
  if (req.target.kind === 'folder') await mkdir(resolve(req.target.path), { recursive: true });

  const report = emptyConvertReport(req.codec, req.target, totalBytes);
  // Sniff and plan every file before writing anything, so a bad override fails fast.
  const plans = [];
  for (const f of files) {
    const dialect = await sniff(conn, f, req.dialect);
    const { read, outNames } = applyOverrides(dialect.columns, req.columns);
    if (req.partitionByDay !== undefined && !dialect.columns.some((c) => c.name === req.partitionByDay)) {
      const alias = req.columns.find((c) => c.name === req.partitionByDay);
      if (!alias) throw new WorkbenchError('INVALID_REQUEST', `partitionByDay: column "${req.partitionByDay}" is not in ${f.path}.`);
    }
    plans.push({ file: f, dialect, read, outNames });
  }
  // Refuse to overwrite: folder targets write <stem>.parquet; lake targets use unique part names.
  if (req.target.kind === 'folder' && req.partitionByDay === undefined) {
    for (const p of plans) {
      const finalPath = join(resolve(req.target.path), `${stem(p.file.path)}.parquet`);
      if (await exists(finalPath)) {
        throw new WorkbenchError(
          'CONFLICT',
          `${finalPath} already exists; the conversion never overwrites files.`,
          'Choose another output folder or remove the file first.',
        );
      }
    }
  }

  // A lake target is one journaled batch from before the first byte is written (see PublishSet).
  if (req.target.kind === 'lake') await opts.lake?.lake.requireOnline(`take a conversion into ${req.target.dataset}`);
  const set = req.target.kind === 'lake' && opts.lake ? await PublishSet.begin(opts.lake, 'convert', req.target.dataset) : null;
  const target = outputTarget(req, opts.lake?.lake, set);
  // DuckDB only tracks query progress with its progress bar on (printing stays off).
  await conn.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false');
  let bytesDone = 0;
  const published: string[] = [];
  const temps: string[] = [];
  /** Lake targets: every output staged, published together at the end. */
  const staged: { output: StagedFile; file: ConvertedFile; rows: number }[] = [];
  const onAbort = (): void => conn.interrupt();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    for (const plan of plans) {
      if (opts.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The conversion was cancelled; no file was written.');
      const one = await convertOne(conn, req, plan, target, temps, (pct) => {
        opts.onProgress?.({
          phase: 'convert',
          fraction: totalBytes > 0 ? Math.min(1, (bytesDone + (pct / 100) * plan.file.bytes) / totalBytes) : null,
          // DuckDB's rows_processed counts scan chunks, not CSV rows: report rows of finished files only.
          rows: report.rows,
          bytes: bytesDone + Math.round((pct / 100) * plan.file.bytes),
          message: `Converting ${basename(plan.file.path)}`,
        });
      });
      if (one.rejects.length > 0 || one.file.rejected > 0) {
        report.rejected += one.file.rejected;
        for (const r of one.rejects) if (report.rejects.length < MAX_REJECTS_REPORTED) report.rejects.push(r);
      }
      report.rowsIn += one.file.rowsIn;
      if (one.file.rejected > 0 && req.onBadRows === 'fail') {
        for (const t of one.temps) await rm(t, { recursive: true, force: true });
        const first = one.rejects[0];
        throw new WorkbenchError(
          'BAD_INPUT',
          `${plan.file.path}, line ${first?.line ?? '?'}: ${first?.reason ?? 'bad row'}` +
            (one.file.rejected > 1 ? ` (and ${one.file.rejected - 1} more bad rows)` : ''),
          'Fix the rows, or convert with --skip-bad-rows to leave them out.',
          { rejects: { rows: report.rejects, total: report.rejected } },
        );
      }
      // Quality checks of readings, over the Parquet just written (before anything is published).
      const warnings = await checkReadings(conn, {
        file: plan.file.path,
        parquet: one.publish.map((p) => p.temp),
        columns: plan.outNames.map((name, i) => ({ name, type: plan.read[i].type })),
      });
      report.warnings = [...(report.warnings ?? []), ...warnings];
      if (warnings.length > 0 && req.strict) {
        for (const t of one.temps) await rm(t, { recursive: true, force: true });
        throw new WorkbenchError(
          'BAD_INPUT',
          `${plan.file.path} failed the quality checks (strict): ${describeWarnings(warnings)} Nothing was written.`,
          'Fix the readings, or convert without strict to keep them with these warnings.',
          { warnings },
        );
      }
      if (req.target.kind === 'folder') {
        // Publish this file's outputs: temp → final, never replacing anything.
        for (const { temp, final } of one.publish) {
          await publishFile(temp, final);
          published.push(final);
          one.file.outputs.push(final);
          one.file.outputBytes += await sizeOf(final);
        }
        for (const t of one.temps) await rm(t, { recursive: true, force: true });
      } else {
        for (const { temp, final } of one.publish) {
          const rows = Number(
            (await conn.runAndReadAll(`SELECT num_rows::BIGINT FROM parquet_file_metadata(${quoteLiteral(temp)})`)).getRowsJS()[0]?.[0] ??
              0,
          );
          staged.push({ output: { key: final, path: temp }, file: one.file, rows });
        }
      }
      report.files.push(one.file);
      report.rows += one.file.rowsWritten;
      report.outputBytes += one.file.outputBytes;
      bytesDone += plan.file.bytes;
    }
    // A cancel that arrives while the last file is being published still wins: all or nothing.
    if (opts.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The conversion was cancelled; no file was left behind.');
    if (set && opts.lake && req.target.kind === 'lake') {
      // The set removes its temps (the staging folders of partitioned outputs) once published.
      if (staged.length > 0) await publishToLake(set, opts.lake.lake, req.target.dataset, staged);
      else await set.abandon();
      report.outputBytes = report.files.reduce((a, f) => a + f.outputBytes, 0);
    }
  } catch (err) {
    for (const t of temps) await rm(t, { recursive: true, force: true });
    await set?.abandon().catch(() => undefined);
    if (opts.signal?.aborted) {
      // A cancel after some files were published removes them too: the job is all or nothing.
      for (const p of published) await rm(p, { force: true });
      throw new WorkbenchError('CANCELLED', 'The conversion was cancelled; no file was left behind.');
    }
    if (err instanceof WorkbenchError) {
      for (const p of published) await rm(p, { force: true });
      throw err;
    }
    for (const p of published) await rm(p, { force: true });
    throw new WorkbenchError('BAD_INPUT', `The conversion failed: ${describeError(err)}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  report.elapsedMs = Date.now() - started;
  report.ratio = report.outputBytes > 0 ? report.inputBytes / report.outputBytes : 0;
  opts.onProgress?.({ phase: 'done', fraction: 1, rows: report.rows, bytes: totalBytes, message: 'Done' });
  return report;
}

interface Plan {
  file: InputFile;
  dialect: Awaited<ReturnType<typeof sniff>>;
  read: { name: string; type: string }[];
  outNames: string[];
}

async function convertOne(
  conn: DuckDBConnection,
  req: ConvertRequest,
  plan: Plan,
  target: OutputTarget,
  temps: string[],
  progress: (pct: number) => void,
): Promise<{ file: ConvertedFile; rejects: RejectedRow[]; publish: { temp: string; final: string }[]; temps: string[] }> {
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const rejectsTable = `bw_rejects_${id}`;
  const scanTable = `bw_scans_${id}`;
  const source = readCsvSql(plan.file.path, plan.dialect, plan.read, [
    'store_rejects=true',
    `rejects_table=${quoteLiteral(rejectsTable)}`,
    `rejects_scan=${quoteLiteral(scanTable)}`,
  ]);
  const projection = plan.read.map((c, i) => `${quoteIdent(c.name)} AS ${quoteIdent(plan.outNames[i])}`);
  const partitioned = req.partitionByDay !== undefined;
  if (partitioned) {
    const idx = plan.outNames.indexOf(req.partitionByDay as string);
    const srcIdx = idx >= 0 ? idx : plan.read.findIndex((c) => c.name === req.partitionByDay);
    const col = quoteIdent(plan.read[srcIdx].name);
    const type = plan.read[srcIdx].type.toUpperCase();
    const day =
      type.includes('WITH TIME ZONE') || type === 'TIMESTAMPTZ' ? `CAST(timezone('UTC', ${col}) AS DATE)` : `CAST(${col} AS DATE)`;
    projection.push(`strftime(${day}, '%Y-%m-%d') AS "date"`);
  }
  const codec = req.codec.toUpperCase();
  const copyOpts = [`FORMAT parquet`, `COMPRESSION ${codec}`, `ROW_GROUP_SIZE ${req.rowGroupSize}`];
  if (req.compressionLevel !== undefined && req.codec === 'zstd') copyOpts.push(`COMPRESSION_LEVEL ${req.compressionLevel}`);

  const name = stem(plan.file.path);
  let tempOut: string;
  let finalSingle = '';
  let finalOf: (rel: string) => string = (rel) => rel;
  if (partitioned) {
    const folder = await target.folder(id);
    tempOut = folder.temp;
    finalOf = folder.finalOf;
    // Files inside the temp folder end in .tmp too; they get their .parquet name when published.
    copyOpts.push(
      `PARTITION_BY ("date")`,
      `FILENAME_PATTERN ${quoteLiteral(`part-${name}-${id}-{i}`)}`,
      `FILE_EXTENSION 'parquet${TEMP_SUFFIX}'`,
    );
  } else {
    const single = await target.single(name, id);
    tempOut = single.temp;
    finalSingle = single.final;
  }
  temps.push(tempOut);

  const poll = setInterval(() => {
    try {
      const p = conn.progress;
      progress(Math.max(0, p.percentage));
    } catch {
      // progress is best effort
    }
  }, 250);
  let rowsWritten: number;
  try {
    const reader = await conn.runAndReadAll(
      `COPY (SELECT ${projection.join(', ')} FROM ${source}) TO ${quoteLiteral(tempOut)} (${copyOpts.join(', ')})`,
    );
    rowsWritten = Number(reader.getRowsJS()[0]?.[0] ?? 0);
  } catch (err) {
    clearInterval(poll);
    await rm(tempOut, { recursive: true, force: true });
    await conn
      .run(`DROP TABLE IF EXISTS temp.${quoteIdent(rejectsTable)}; DROP TABLE IF EXISTS temp.${quoteIdent(scanTable)}`)
      .catch(() => undefined);
    if (/interrupt/i.test(describeError(err))) throw new WorkbenchError('CANCELLED', 'The conversion was cancelled; no file was written.');
    throw new WorkbenchError(
      'BAD_INPUT',
      `${plan.file.path}: ${describeError(err)}`,
      'Check the delimiter, quoting and column types in the preview.',
    );
  }
  clearInterval(poll);

  // Bad rows: one entry per (line, column) in DuckDB's rejects table; count lines once.
  const rej = await conn.runAndReadAll(
    `SELECT line, column_name, error_type, error_message, csv_line FROM temp.${quoteIdent(rejectsTable)} ORDER BY line, column_idx`,
  );
  const rows = rej.getRowsJS();
  await conn.run(`DROP TABLE IF EXISTS temp.${quoteIdent(rejectsTable)}; DROP TABLE IF EXISTS temp.${quoteIdent(scanTable)}`);
  const badLines = new Set<number>();
  const rejects: RejectedRow[] = [];
  for (const r of rows) {
    const line = Number(r[0]);
    if (!badLines.has(line) && rejects.length < MAX_REJECTS_REPORTED) {
      rejects.push({
        file: plan.file.path,
        line,
        column: r[1] === null ? null : String(r[1]),
        reason: `${String(r[2])}: ${String(r[3])}`,
        text: String(r[4] ?? '').slice(0, 500),
      });
    }
    badLines.add(line);
  }

  const publish: { temp: string; final: string }[] = [];
  if (partitioned) {
    for (const f of await listFilesRecursive(tempOut))
      publish.push({ temp: f, final: finalOf(relative(tempOut, f)).slice(0, -TEMP_SUFFIX.length) });
  } else {
    publish.push({ temp: tempOut, final: finalSingle });
  }
  return {
    file: {
      input: plan.file.path,
      outputs: [],
      rowsIn: rowsWritten + badLines.size,
      rowsWritten,
      rejected: badLines.size,
      inputBytes: plan.file.bytes,
      outputBytes: 0,
    },
    rejects,
    publish,
    temps: partitioned ? [tempOut] : [],
  };
}
