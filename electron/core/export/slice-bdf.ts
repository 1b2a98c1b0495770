import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkbenchError } from '../../../shared/api/errors';
import type { SliceColumn } from '../../../shared/api/slice';
import { BDF_COLUMNS, BDF_EXTENSION, sliceFeatureColumns, type SliceSpec } from '../../../shared/domain/slice-spec';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { withKvMetadata } from './parquet-kv';
import { runWithProgress } from './run-copy';
import { sliceConditions, type SplitPart } from './slice-sql';

/** What the metadata says of the current column: where a jar's current comes from. */
export const BDF_CURRENT_SOURCE =
  "string_telemetry.current_a of the jar's string at the same time (the jars of a string are in series and carry its current); positive = charge";

/**
 * The rows of one split of a BDF slice, with the jar's string's current and ambient temperature joined on the string
 * and the exact time (a jar reading without a string reading at that time has no current). All values DOUBLE.
 */
export function bdfSourceSelect(spec: SliceSpec, part: SplitPart): string {
  const cols = new Set(sliceFeatureColumns(spec));
  const t = (c: string): string => (cols.has(c) ? `CAST(t.${quoteIdent(c)} AS DOUBLE)` : 'CAST(NULL AS DOUBLE)');
  return (
    `SELECT t.battery_id AS battery_id, CAST(epoch(t.ts) AS DOUBLE) AS unix, ${t('voltage_v')} AS v, CAST(st.current_a AS DOUBLE) AS a, ` +
    `${t('temperature_c')} AS temp, CAST(st.ambient_c AS DOUBLE) AS amb, ${t('resistance_mohm')} / 1000.0 AS r ` +
    `FROM ${qualifiedName('main', 'telemetry')} AS t LEFT JOIN ${qualifiedName('main', 'battery')} AS b ON b.battery_id = t.battery_id ` +
    `LEFT JOIN ${qualifiedName('main', 'string_telemetry')} AS st ON st.string_id = b.string_id AND st.ts = t.ts ` +
    `WHERE ${sliceConditions(spec, part).join(' AND ')}`
  );
}

/** The BDF columns written, in order: the required three, Unix Time, then the optional ones the slice has. */
export function bdfColumns(spec: SliceSpec): { name: string; expr: string }[] {
  const cols = new Set(sliceFeatureColumns(spec));
  const out: { name: string; expr: string }[] = [
    { name: BDF_COLUMNS.testTime, expr: 'unix - min(unix) OVER ()' },
    { name: BDF_COLUMNS.voltage, expr: 'v' },
    { name: BDF_COLUMNS.current, expr: 'a' },
    { name: BDF_COLUMNS.unixTime, expr: 'unix' },
  ];
  if (cols.has('temperature_c')) out.push({ name: BDF_COLUMNS.surfaceTemperature, expr: 'temp' });
  out.push({ name: BDF_COLUMNS.ambientTemperature, expr: 'amb' });
  if (cols.has('resistance_mohm')) out.push({ name: BDF_COLUMNS.resistance, expr: 'r' });
  return out;
}

function jarSelect(table: string, spec: SliceSpec, jar: number): string {
  const cols = bdfColumns(spec)
    .map((c) => `${c.expr} AS ${quoteIdent(c.name)}`)
    .join(', ');
  return `SELECT ${cols} FROM ${table} WHERE battery_id = ${Math.trunc(jar)} ORDER BY unix`;
}

interface JarIds {
  battery_id: number;
  string_id: number | null;
  system_id: number | null;
  location_id: number | null;
  site_code: string | null;
  model_id: number | null;
  model: string | null;
  serial_no: string | null;
}

/** Key-value metadata of one jar's file: the format, the jar's place in the fleet and where the current comes from. */
export function bdfMetadata(ids: JarIds, split: string): Record<string, string> {
  const text = (v: number | string | null): string => (v === null ? '' : String(v));
  return {
    'battery_workbench.format': 'bdf',
    'battery_workbench.split': split,
    'battery_workbench.battery_id': text(ids.battery_id),
    'battery_workbench.string_id': text(ids.string_id),
    'battery_workbench.system_id': text(ids.system_id),
    'battery_workbench.location_id': text(ids.location_id),
    'battery_workbench.site_code': text(ids.site_code),
    'battery_workbench.model_id': text(ids.model_id),
    'battery_workbench.model': text(ids.model),
    'battery_workbench.serial_no': text(ids.serial_no),
    'battery_workbench.current_source': BDF_CURRENT_SOURCE,
  };
}

export interface BdfFile {
  /** Relative to the slice folder: `<split>/battery-<id>.bdf.parquet`. */
  rel: string;
  path: string;
  rows: number;
}

/**
 * Writes one split as BDF: the split's rows into a temp table (one scan of the tiers), then one file per jar,
 * each with its ids in the key-value metadata. Files go under `<temp>/<split>/`.
 */
export async function writeBdfSplit(
  conn: DuckDBConnection,
  spec: SliceSpec,
  part: SplitPart,
  split: string,
  temp: string,
  parquetOptions: string,
  options: { signal?: AbortSignal; onProgress?: (fraction: number, rows: number) => void },
): Promise<{ files: BdfFile[]; schema: SliceColumn[] }> {
  const name = quoteIdent(`bw_bdf_${randomUUID().replaceAll('-', '').slice(0, 12)}`);
  const table = `temp.${name}`;
  await conn.run(`CREATE TEMP TABLE ${name} AS ${bdfSourceSelect(spec, part)}`);
  try {
    const ids = (
      await conn.runAndReadAll(
        `SELECT j.battery_id, b.string_id, s.system_id, y.location_id, l.code, b.model_id, ` +
          `CASE WHEN m.model_id IS NULL THEN NULL ELSE concat_ws(' ', m.manufacturer, m.model_name) END, b.serial_no ` +
          `FROM (SELECT DISTINCT battery_id FROM ${table}) j ` +
          `LEFT JOIN ${qualifiedName('main', 'battery')} b ON b.battery_id = j.battery_id ` +
          `LEFT JOIN ${qualifiedName('main', 'battery_string')} s ON s.string_id = b.string_id ` +
          `LEFT JOIN ${qualifiedName('main', 'battery_system')} y ON y.system_id = s.system_id ` +
          `LEFT JOIN ${qualifiedName('main', 'location')} l ON l.location_id = y.location_id ` +
          `LEFT JOIN ${qualifiedName('main', 'battery_model')} m ON m.model_id = b.model_id ORDER BY 1`,
      )
    )
      .getRowsJS()
      .map((r): JarIds => ({
        battery_id: Number(r[0]),
        string_id: r[1] === null ? null : Number(r[1]),
        system_id: r[2] === null ? null : Number(r[2]),
        location_id: r[3] === null ? null : Number(r[3]),
        site_code: r[4] === null ? null : String(r[4]),
        model_id: r[5] === null ? null : Number(r[5]),
        model: r[6] === null ? null : String(r[6]),
        serial_no: r[7] === null ? null : String(r[7]),
      }));
    const schema = (await conn.runAndReadAll(`DESCRIBE ${jarSelect(table, spec, 0)}`))
      .getRowObjectsJson()
      .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    await mkdir(join(temp, split), { recursive: true });
    const files: BdfFile[] = [];
    let rows = 0;
    for (let i = 0; i < ids.length; i++) {
      if (options.signal?.aborted) throw new WorkbenchError('CANCELLED', 'The slice export was cancelled; no file was left behind.');
      const jar = ids[i];
      const rel = `${split}/battery-${jar.battery_id}${BDF_EXTENSION}`;
      const path = join(temp, split, `battery-${jar.battery_id}${BDF_EXTENSION}`);
      const n = await runWithProgress(
        conn,
        `COPY (${jarSelect(table, spec, jar.battery_id)}) TO ${quoteLiteral(path)} (${withKvMetadata(parquetOptions, bdfMetadata(jar, split))})`,
        { signal: options.signal },
      );
      rows += n;
      files.push({ rel, path, rows: n });
      options.onProgress?.((i + 1) / ids.length, rows);
    }
    return { files, schema };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
}
