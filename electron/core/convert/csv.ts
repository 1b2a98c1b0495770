import type { DuckDBConnection } from '@duckdb/node-api';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ColumnOverride, CsvDialect, CsvPreview, SniffedColumn } from '../../../shared/api/convert';
import { WorkbenchError } from '../../../shared/api/errors';
import { quoteLiteral } from '../../../shared/sql';

const CSV_FILE = /\.(csv|tsv|txt)(\.gz)?$/i;

export interface InputFile {
  path: string;
  bytes: number;
}

/** Expands folders (recursively) to the CSV/TSV files inside; names each file that cannot be read. */
export async function listInputs(inputs: string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const seen = new Set<string>();
  const add = async (p: string, explicit: boolean): Promise<void> => {
    let s;
    try {
      s = await stat(p);
    } catch (err) {
      throw new WorkbenchError(
        'BAD_INPUT',
        `Cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
        'Check the path and its permissions.',
      );
    }
    if (s.isDirectory()) {
      const entries = (await readdir(p)).sort();
      for (const e of entries) if (!e.startsWith('.')) await add(join(p, e), false);
    } else if (s.isFile() && (explicit || CSV_FILE.test(p))) {
      if (!seen.has(p)) {
        seen.add(p);
        out.push({ path: p, bytes: s.size });
      }
    }
  };
  for (const i of inputs) await add(resolve(i), true);
  if (out.length === 0) throw new WorkbenchError('BAD_INPUT', 'No CSV, CSV.GZ or TSV files were found in the inputs given.');
  return out;
}

export interface ResolvedDialect {
  delimiter: string;
  quote: string;
  escape: string;
  header: boolean;
  skipRows: number;
  dateFormat: string | null;
  timestampFormat: string | null;
  columns: SniffedColumn[];
}

/** DuckDB's sniffer prints '(empty)' for "no quote/escape". */
function unEmpty(v: unknown): string {
  return v === '(empty)' || v === null || v === undefined ? '' : String(v);
}

function dialectOptions(d: CsvDialect | ResolvedDialect): string[] {
  const opts: string[] = [];
  if (d.delimiter !== undefined) opts.push(`delim=${quoteLiteral(d.delimiter)}`);
  if (d.quote !== undefined) opts.push(`quote=${quoteLiteral(d.quote)}`);
  if (d.escape !== undefined) opts.push(`escape=${quoteLiteral(d.escape)}`);
  if (d.header !== undefined) opts.push(`header=${d.header ? 'true' : 'false'}`);
  if (d.skipRows !== undefined) opts.push(`skip=${d.skipRows}`);
  return opts;
}

/** Sniffs one file's dialect and column types, honouring what the user fixed. */
export async function sniff(conn: DuckDBConnection, file: InputFile, given: CsvDialect): Promise<ResolvedDialect> {
  if (file.bytes === 0) throw new WorkbenchError('BAD_INPUT', `${file.path} is empty: there is nothing to convert.`);
  // ignore_errors lets one ragged or undecodable line not mislead the sniffer about the whole file.
  const opts = [quoteLiteral(file.path), 'sample_size=20480', 'ignore_errors=true', ...dialectOptions(given)].join(', ');
  let row: Record<string, unknown>;
  try {
    const reader = await conn.runAndReadAll(`FROM sniff_csv(${opts})`);
    row = reader.getRowObjectsJS()[0] as Record<string, unknown>;
  } catch (err) {
    throw new WorkbenchError(
      'BAD_INPUT',
      `Could not read the layout of ${file.path}: ${(err as Error).message}`,
      'Set the delimiter, quote and header by hand and try again.',
    );
  }
  const columns = (row.Columns as { name: string; type: string }[]).map((c) => ({ name: String(c.name), type: String(c.type) }));
  return {
    delimiter: given.delimiter ?? unEmpty(row.Delimiter),
    quote: given.quote ?? unEmpty(row.Quote),
    escape: given.escape ?? unEmpty(row.Escape),
    header: given.header ?? Boolean(row.HasHeader),
    skipRows: given.skipRows ?? Number(row.SkipRows ?? 0),
    dateFormat: row.DateFormat ? String(row.DateFormat) : null,
    timestampFormat: row.TimestampFormat ? String(row.TimestampFormat) : null,
    columns,
  };
}

/**
 * The CSV reader's buffer, in bytes: twice DuckDB's default longest line (max_line_size, 2 MiB), the least a line of
 * that length can need. DuckDB's default (16 lines, 32 MiB) keeps buffers of that size in flight per thread outside
 * its memory limit: a 435 MB CSV's conversion peaked 130 MB higher than with 4 MiB, at the same speed.
 */
export const CSV_BUFFER_BYTES = 4 * 1024 * 1024;

/** `read_csv(...)` with every option pinned (no sniffing at read time), typed columns and the given extras. */
export function readCsvSql(file: string, d: ResolvedDialect, columns: SniffedColumn[], extra: string[] = []): string {
  const cols = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
  const opts = [quoteLiteral(file), 'auto_detect=false', ...dialectOptions(d), `columns={${cols}}`, `buffer_size=${CSV_BUFFER_BYTES}`];
  if (d.dateFormat) opts.push(`dateformat=${quoteLiteral(d.dateFormat)}`);
  if (d.timestampFormat) opts.push(`timestampformat=${quoteLiteral(d.timestampFormat)}`);
  opts.push(...extra);
  return `read_csv(${opts.join(', ')})`;
}

/** Applies the user's renames and type overrides to the sniffed columns; names an override that matches nothing. */
export function applyOverrides(sniffed: SniffedColumn[], overrides: ColumnOverride[]): { read: SniffedColumn[]; outNames: string[] } {
  const bySource = new Map(overrides.map((o) => [o.source, o]));
  for (const o of overrides) {
    if (!sniffed.some((c) => c.name === o.source)) {
      throw new WorkbenchError(
        'INVALID_REQUEST',
        `Column override "${o.source}" matches no column in the file.`,
        `Columns found: ${sniffed.map((c) => c.name).join(', ')}`,
      );
    }
  }
  const read = sniffed.map((c) => ({ name: c.name, type: bySource.get(c.name)?.type?.toUpperCase() ?? c.type }));
  const outNames = sniffed.map((c) => bySource.get(c.name)?.name ?? c.name);
  const dup = outNames.find((n, i) => outNames.indexOf(n) !== i);
  if (dup !== undefined)
    throw new WorkbenchError('INVALID_REQUEST', `Two output columns would both be named "${dup}".`, 'Rename one of them.');
  return { read, outNames };
}

export async function previewCsv(conn: DuckDBConnection, file: InputFile, given: CsvDialect, rows: number): Promise<CsvPreview> {
  const d = await sniff(conn, file, given);
  const asText = d.columns.map((c) => ({ name: c.name, type: 'VARCHAR' }));
  const reader = await conn.runAndReadAll(
    `SELECT * FROM ${readCsvSql(file.path, d, asText, ['ignore_errors=true'])} LIMIT ${Math.floor(rows)}`,
  );
  const sample = reader.getRowsJS().map((r) => r.map((v) => (v === null ? null : String(v))));
  return {
    file: file.path,
    bytes: file.bytes,
    compressed: /\.gz$/i.test(file.path),
    delimiter: d.delimiter,
    quote: d.quote,
    escape: d.escape,
    header: d.header,
    skipRows: d.skipRows,
    columns: d.columns,
    sample,
  };
}
