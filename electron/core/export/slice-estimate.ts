import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SliceColumn, SliceEstimate } from '../../../shared/api/slice';
import type { SliceSpec } from '../../../shared/domain/slice-spec';
import { quoteLiteral } from '../../../shared/sql';
import type { Lake } from '../lake/lake';
import { lakeFilesSql } from '../lake/lake-sql';
import { tempPathFor } from '../files/atomic';
import { SLICE_PARQUET_OPTIONS, describeSelect, planSlice, prepareSliceConnection } from './slice-run';
import { sliceSelect } from './slice-sql';
import type { SliceFeatureSet } from '../../../shared/domain/features';
import { resolveSliceFeatures } from '../features/slice-features';

/** Compressed bytes per value of each column in the lake's files of a dataset (empty when it has none). */
async function lakeBytesPerValue(conn: DuckDBConnection, lake: Lake, dataset: string): Promise<Map<string, number>> {
  const files = await lake.readable(dataset);
  if (files.length === 0) return new Map();
  const reader = await conn.runAndReadAll(
    `SELECT path_in_schema AS c, sum(total_compressed_size) / greatest(sum(num_values), 1) AS b FROM parquet_metadata(${lakeFilesSql(lake, files)}) GROUP BY 1`,
  );
  return new Map(reader.getRowsJS().map((r) => [String(r[0]), Number(r[1])]));
}

/** A rough Parquet size of one value of a column we have no lake figures for. */
function guessBytes(c: SliceColumn): number {
  if (/DOUBLE|FLOAT|TIMESTAMP|BIGINT/i.test(c.type)) return 8;
  if (/VARCHAR/i.test(c.type)) return 6;
  return 3;
}

/** Rows written to a sample Parquet file to measure bytes per row. */
const SAMPLE_ROWS = 50_000;

/** Bytes per row of the slice as Parquet, measured on a sample of its first rows in key order (null if empty). */
async function sampleBytesPerRow(
  conn: DuckDBConnection,
  spec: SliceSpec,
  scratchDir: string,
  features: readonly SliceFeatureSet[],
): Promise<number | null> {
  await mkdir(scratchDir, { recursive: true });
  const file = tempPathFor(join(scratchDir, 'slice-size-sample.parquet'));
  try {
    const reader = await conn.runAndReadAll(
      `COPY (SELECT * FROM (${sliceSelect(spec, { kind: 'all' }, { ordered: false, features })}) LIMIT ${SAMPLE_ROWS}) TO ${quoteLiteral(file)} (${SLICE_PARQUET_OPTIONS})`,
    );
    const rows = Number(reader.getRowsJS()[0]?.[0] ?? 0);
    if (rows === 0) return null;
    // A Parquet file has a fixed cost (footer, schema) that a sample pays once, like the export does per file.
    return (await stat(file)).size / rows;
  } finally {
    await rm(file, { force: true });
  }
}

/** Exact row counts per split (labels do not change them), the output schema and a size estimate. */
export async function estimateSlice(conn: DuckDBConnection, lake: Lake, spec: SliceSpec, scratchDir?: string): Promise<SliceEstimate> {
  const started = performance.now();
  await prepareSliceConnection(conn);
  const features = await resolveSliceFeatures(conn, lake, spec);
  // Feature sets join at most one row per slice row (ASOF): they do not change the counts either.
  const counting = await planSlice(conn, spec, { ordered: false, labels: false });
  const splits: { name: string; rows: number }[] = [];
  for (const s of counting.splits) {
    const reader = await conn.runAndReadAll(`SELECT count(*) FROM (${s.sql})`);
    splits.push({ name: s.name, rows: Number(reader.getRowsJS()[0][0]) });
  }
  const schema = await describeSelect(conn, sliceSelect(spec, { kind: 'all' }, { features }));
  const rows = splits.reduce((a, s) => a + s.rows, 0);
  let bytesPerRow =
    scratchDir === undefined || rows === 0 ? null : await sampleBytesPerRow(conn, spec, scratchDir, features).catch(() => null);
  if (bytesPerRow === null) {
    const perValue = await lakeBytesPerValue(conn, lake, spec.dataset).catch(() => new Map<string, number>());
    bytesPerRow = schema.reduce((a, c) => a + (perValue.get(c.name) ?? guessBytes(c)), 0);
  }
  const shown = sliceSelect(spec, counting.splits[0].part, { features });
  return {
    spec,
    rows,
    splits,
    bytes: Math.round(rows * bytesPerRow),
    schema,
    sql: shown,
    elapsedMs: Math.round(performance.now() - started),
  };
}
