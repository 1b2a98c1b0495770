import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConvertRequest } from '../shared/api/convert';
import { quoteLiteral } from '../shared/sql';
import { convertCsvFiles } from '../electron/core/convert/convert';

const ROWS_TS = 4209;
export const CSV_JARS = 2376; // 4,209 readings x 2,376 jars = 10,000,584 rows

/**
 * A realistic telemetry export (ordered by time, then jar, as a monitoring system dumps it): voltage at
 * mV, temperature at 0.1 C with a daily cycle, internal resistance at 0.01 mOhm with slow drift, sensor noise.
 * `readings` per jar (every 5 minutes) of `CSV_JARS` jars; written once, kept at `path`.
 */
export async function ensureTelemetryCsv(path: string, readings = ROWS_TS): Promise<void> {
  if (existsSync(path)) return;
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await c.run(`COPY (
    SELECT b AS battery_id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(5 * s) AS ts,
      round(2.25 + 0.01 * sin(s / 288.0 * 2 * pi()) + ((hash(b, s, 1) % 7)::INT - 3) / 1000.0, 3)::DECIMAL(6,3) AS voltage_v,
      round(22 + 3 * sin(s / 288.0 * 2 * pi() + b % 9) + ((hash(b, s, 2) % 5)::INT - 2) / 10.0, 1)::DECIMAL(4,1) AS temperature_c,
      round(0.45 + b % 50 / 1000.0 + s / 1e6 + ((hash(b, s, 3) % 3)::INT - 1) / 100.0, 2)::DECIMAL(6,2) AS resistance_mohm
    FROM range(${readings}) t1(s), range(1, ${CSV_JARS + 1}) t2(b) ORDER BY s, b) TO ${quoteLiteral(`${path}.part`)} (HEADER)`);
  c.closeSync();
  inst.closeSync();
  const { rename } = await import('node:fs/promises');
  await rename(`${path}.part`, path);
}

/** 10M-row telemetry CSV: the workbench's conversion vs DuckDB's own COPY of the same file, same process. */
export async function benchConvert(): Promise<Record<string, unknown>> {
  const cacheDir = join(tmpdir(), 'bw-bench-cache');
  await mkdir(cacheDir, { recursive: true });
  const csv = join(cacheDir, 'telemetry-10m.csv');
  await ensureTelemetryCsv(csv);
  const csvBytes = (await stat(csv)).size;
  const work = await mkdtemp(join(tmpdir(), 'bw-bench-convert-'));
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  const raw: number[] = [];
  const ours: number[] = [];
  let parquetBytes = 0;
  let rawBytes = 0;
  let rows = 0;
  try {
    for (let i = 0; i < 2; i++) {
      const rawOut = join(work, `raw-${i}.parquet`);
      let t = performance.now();
      await conn.run(`COPY (FROM read_csv(${quoteLiteral(csv)})) TO ${quoteLiteral(rawOut)} (FORMAT parquet, COMPRESSION zstd)`);
      raw.push(performance.now() - t);
      rawBytes = (await stat(rawOut)).size;
      await rm(rawOut);

      const out = join(work, `ours-${i}`);
      t = performance.now();
      const report = await convertCsvFiles(conn, ConvertRequest.parse({ inputs: [csv], target: { kind: 'folder', path: out } }), {});
      ours.push(performance.now() - t);
      parquetBytes = report.outputBytes;
      rows = report.rows;
      await rm(out, { recursive: true });
    }
  } finally {
    conn.closeSync();
    inst.closeSync();
    await rm(work, { recursive: true, force: true });
  }
  const rawMs = Math.min(...raw);
  const oursMs = Math.min(...ours);
  return {
    rows,
    csvBytes,
    parquetBytes,
    rawCopyParquetBytes: rawBytes,
    rawCopyMs: rawMs,
    workbenchConvertMs: oursMs,
    ratioVsRawCopy: oursMs / rawMs,
    targetRatioVsRawCopy: 1.15,
    csvToParquetSizeRatio: csvBytes / parquetBytes,
    targetSizeRatio: 12,
    runs: { raw, ours },
  };
}
