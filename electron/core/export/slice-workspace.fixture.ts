/**
 * Test and benchmark fixture (not a test): fills a hot-less workbench with a small, fully known fleet,
 * split across the tiers the way the demo and archival leave it: telemetry and rul_prediction before
 * the tier split as hive-partitioned Parquet in the lake, from the split on in the hot mirror.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { recordLakeFiles } from '../testing/lake-manifest.fixture';
import { HOT_MIRROR_SCHEMA, setSplitSql } from '../mirror/meta';
import type { Workbench } from '../workbench';

export interface SliceFixture {
  /** First reading (UTC midnight) */
  start: string;
  /** The tier split: cold rows before, hot rows at or after. */
  split: string;
  /** End of data (exclusive). */
  end: string;
  sites: number;
  jarsPerSite: number;
  /** Minutes between two readings of a jar. */
  stepMinutes: number;
}

export interface FixtureOptions {
  start?: string;
  daysCold?: number;
  daysHot?: number;
  sites?: number;
  jarsPerSite?: number;
  stepMinutes?: number;
  /** Add deterministic per-reading noise (realistic Parquet sizes for benchmarks). Default false: values follow a simple pattern. */
  noise?: boolean;
}

/**
 * Sites 1..n with one system and one string each; jars numbered 1.. by site. Telemetry every `stepMinutes`
 * (voltage and temperature follow the jar and the time, so values are known). RUL predictions once a day
 * at 12:00 per jar: rul_days = 1000 - 10 * day - jar (day counted from the start), so a jar's label changes
 * every day at noon, mid-range.
 */
export async function seedSliceWorkspace(wb: Workbench, options: FixtureOptions = {}): Promise<SliceFixture> {
  const startIso = options.start ?? '2024-05-01T00:00:00.000Z';
  const daysCold = options.daysCold ?? 2;
  const daysHot = options.daysHot ?? 2;
  const sites = options.sites ?? 3;
  const jarsPerSite = options.jarsPerSite ?? 6;
  const step = options.stepMinutes ?? 60;
  const startMs = Date.parse(startIso);
  const splitIso = new Date(startMs + daysCold * 86_400_000).toISOString();
  const endIso = new Date(startMs + (daysCold + daysHot) * 86_400_000).toISOString();
  const jars = sites * jarsPerSite;
  const conn = await wb.engine.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
    await conn.run(
      `INSERT INTO ${into('location')} SELECT i, 'S' || i, 'Site ' || i, 'City', 'DE', 'UTC', 50.0, 8.0 FROM range(1, ${sites + 1}) r(i)`,
    );
    await conn.run(`INSERT INTO ${into('battery_model')} VALUES (1, 'Acme', 'A12', 'VRLA', 12.00, 100.0, 6, 13.500, 3.50, 10)`);
    await conn.run(
      `INSERT INTO ${into('battery_system')} SELECT i, i, 'UPS ' || i, 'UPS', 100.0, DATE '2020-01-01' FROM range(1, ${sites + 1}) r(i)`,
    );
    await conn.run(`INSERT INTO ${into('battery_string')} SELECT i, i, 1, ${jarsPerSite}, 1 FROM range(1, ${sites + 1}) r(i)`);
    await conn.run(
      `INSERT INTO ${into('battery')} SELECT j, (j - 1) // ${jarsPerSite} + 1, (j - 1) % ${jarsPerSite} + 1, 'SN' || j, 1, DATE '2020-01-01' FROM range(1, ${jars + 1}) r(j)`,
    );
    const slots = Math.round(((daysCold + daysHot) * 1440) / step);
    const start = `CAST(${quoteLiteral(startIso)} AS TIMESTAMPTZ)`;
    await conn.run(
      `CREATE TEMP TABLE fx_tel AS SELECT j::INTEGER AS battery_id, ${start} + to_minutes(s * ${step}) AS ts, ` +
        (options.noise
          ? `CAST(13 + j / 100 + (hash(j, s) % 2000) / 10000 AS DECIMAL(6,3)) AS voltage_v, CAST(20 + (hash(s, j) % 80) / 10 AS DECIMAL(4,1)) AS temperature_c, ` +
            `CAST(3 + j / 100 + (hash(j * 7, s) % 50) / 100 AS DECIMAL(6,2)) AS resistance_mohm `
          : `CAST(13 + j / 100 + (s % 10) / 1000 AS DECIMAL(6,3)) AS voltage_v, CAST(20 + (s % 50) / 10 AS DECIMAL(4,1)) AS temperature_c, ` +
            `CAST(3 + j / 100 AS DECIMAL(6,2)) AS resistance_mohm `) +
        `FROM range(1, ${jars + 1}) a(j), range(0, ${slots}) b(s)`,
    );
    const days = daysCold + daysHot;
    await conn.run(
      `CREATE TEMP TABLE fx_rul AS SELECT j::INTEGER AS battery_id, ${start} + to_days(d) + INTERVAL 12 HOUR AS predicted_at, ` +
        `(1000 - 10 * d - j)::INTEGER AS rul_days, CAST(3 + j / 100 AS DECIMAL(6,2)) AS resistance_mohm, CAST(0.9 AS DECIMAL(4,3)) AS confidence, 'm1' AS model_version ` +
        `FROM range(1, ${jars + 1}) a(j), range(0, ${days}) b(d)`,
    );
    const split = `CAST(${quoteLiteral(splitIso)} AS TIMESTAMPTZ)`;
    await writeLake(conn, join(wb.paths.lake, 'telemetry'), `SELECT *, strftime(ts, '%Y-%m-%d') AS date FROM fx_tel WHERE ts < ${split}`);
    await writeLake(
      conn,
      join(wb.paths.lake, 'rul_prediction'),
      `SELECT *, strftime(predicted_at, '%Y-%m-%d') AS date FROM fx_rul WHERE predicted_at < ${split}`,
    );
    await recordLakeFiles(conn, wb.paths.lake, 'telemetry', 'fixture-telemetry');
    await recordLakeFiles(conn, wb.paths.lake, 'rul_prediction', 'fixture-rul');
    await conn.run(`INSERT INTO hot.telemetry SELECT *, row_number() OVER () AS ingest_id FROM fx_tel WHERE ts >= ${split}`);
    await conn.run(`INSERT INTO hot.rul_prediction SELECT *, row_number() OVER () AS ingest_id FROM fx_rul WHERE predicted_at >= ${split}`);
    await conn.run(setSplitSql('telemetry', splitIso));
    await conn.run(setSplitSql('rul_prediction', splitIso));
    await conn.run('DROP TABLE fx_tel; DROP TABLE fx_rul');
  } finally {
    conn.closeSync();
  }
  await wb.data.refresh();
  return { start: startIso, split: splitIso, end: endIso, sites, jarsPerSite, stepMinutes: step };
}

/** A master table of the mirror with its dataset's columns listed (its ingest_id stays empty). */
function into(name: DatasetName): string {
  return `${qualifiedName(HOT_MIRROR_SCHEMA, name)} (${DATASETS[name].columns.map((c) => quoteIdent(c.name)).join(', ')})`;
}

async function writeLake(conn: DuckDBConnection, dir: string, select: string): Promise<void> {
  await conn.run(
    `COPY (${select}) TO ${quoteLiteral(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part-{i}')`,
  );
}
