import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DATASETS, type DatasetName } from '../../../shared/domain/datasets';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { HOT_MIRROR_SCHEMA, setSplitSql } from '../mirror/meta';
import { recordLakeFiles } from '../testing/lake-manifest.fixture';
import { FAMILIES, FIRST_DAYS, JAR_FIRST_DAYS, rollupTable } from './gold-schema';
import { openWorkbench, type Workbench } from '../workbench';

/**
 * A small fleet written the way the product stores data, for tests: master rows and recent telemetry in the
 * workspace's hot mirror (with ingest ids), older days as hive-partitioned Parquet in the lake, and the tier
 * split between them. Readings are deterministic functions of (jar, time), so any aggregate can be recomputed.
 */
export const FIXTURE = {
  /** First reading (UTC midnight). */
  startMs: Date.parse('2024-03-01T00:00:00Z'),
  coldDays: 3,
  hotDays: 1,
  jarsPerString: 3,
  /** Site 2's name is hostile markup: it must always show as text. */
  siteNames: ['Frankfurt DC 1', '<img src=x onerror=alert(1)>'],
} as const;

export function fixtureSplitMs(): number {
  return FIXTURE.startMs + FIXTURE.coldDays * 86_400_000;
}

/** Telemetry readings of jars 1..6 for slots [fromMs, toMs), as a SELECT. */
export function telemetrySelect(fromMs: number, toMs: number, ingestBase: number | null): string {
  const slots = `range(${fromMs / 300_000}, ${toMs / 300_000})`;
  const ingest =
    ingestBase === null ? '' : `, CAST(${ingestBase} + row_number() OVER (ORDER BY r.slot, b.battery_id) AS BIGINT) AS ingest_id`;
  return (
    `SELECT b.battery_id, to_timestamp(r.slot * 300) AS ts, ` +
    `CAST(13.5 + ((hash(b.battery_id, r.slot) % 1000) / 1000.0 - 0.5) * 0.2 AS DECIMAL(6,3)) AS voltage_v, ` +
    `CAST(24 + b.battery_id * 0.5 + 3 * sin(r.slot / 40.0) AS DECIMAL(4,1)) AS temperature_c, ` +
    `CAST(3.2 * (1 + (r.slot - ${FIXTURE.startMs / 300_000}) * 0.0001 * b.battery_id) + ((hash(r.slot, b.battery_id) % 100) / 10000.0) AS DECIMAL(6,2)) AS resistance_mohm` +
    `${ingest} FROM range(1, 7) b(battery_id), ${slots} r(slot)`
  );
}

export function stringTelemetrySelect(fromMs: number, toMs: number, ingestBase: number | null): string {
  const ingest =
    ingestBase === null ? '' : `, CAST(${ingestBase} + row_number() OVER (ORDER BY r.slot, s.string_id) AS BIGINT) AS ingest_id`;
  return (
    `SELECT s.string_id, to_timestamp(r.slot * 300) AS ts, CAST(40.5 + (hash(s.string_id, r.slot) % 100) / 100.0 AS DECIMAL(8,3)) AS voltage_v, ` +
    `CAST(0.3 - (hash(r.slot, s.string_id) % 10) / 100.0 AS DECIMAL(7,2)) AS current_a, CAST(22 + sin(r.slot / 50.0) AS DECIMAL(4,1)) AS ambient_c` +
    `${ingest} FROM range(1, 3) s(string_id), range(${fromMs / 300_000}, ${toMs / 300_000}) r(slot)`
  );
}

/** Write one lake day of a dataset as a Parquet file (the lake's layout), returning its path. */
export async function writeLakeDay(
  conn: DuckDBConnection,
  lakeRoot: string,
  dataset: string,
  dayMs: number,
  select: string,
  tag = 'fixture',
): Promise<string> {
  const date = new Date(dayMs).toISOString().slice(0, 10);
  const path = join(lakeRoot, dataset, `date=${date}`, `part-${tag}.parquet`);
  await mkdir(dirname(path), { recursive: true });
  await conn.run(`COPY (${select}) TO ${quoteLiteral(path)} (FORMAT parquet)`);
  // Recorded in a manifest like every writer's file: the views read the manifests' live set.
  await recordLakeFiles(conn, lakeRoot, dataset, `${tag}-${date}`, [`${dataset}/date=${date}/part-${tag}.parquet`]);
  return path;
}

/** Seed the fixture fleet into an opened workbench (entry 'test', no PostgreSQL) and refresh its views. */
export async function seedFixture(wb: Workbench): Promise<void> {
  const conn = await wb.engine.connect();
  try {
    const t = (name: string): string => qualifiedName(HOT_MIRROR_SCHEMA, name);
    // Master data and events with their columns listed: the mirror's ingest_id stays empty.
    const into = (name: DatasetName): string => `${t(name)} (${DATASETS[name].columns.map((c) => quoteIdent(c.name)).join(', ')})`;
    await conn.run(
      `INSERT INTO ${into('location')} VALUES (1, 'FRA1', ${quoteLiteral(FIXTURE.siteNames[0])}, 'Frankfurt', 'DE', 'Europe/Berlin', 50.1, 8.7), ` +
        `(2, 'XSS1', ${quoteLiteral(FIXTURE.siteNames[1])}, 'Nowhere', 'NL', 'UTC', 52.3, 4.9)`,
    );
    await conn.run(`INSERT INTO ${into('battery_model')} VALUES (1, 'Voltaris', 'VX12-190 VRLA', 'VRLA AGM', 12, 190, 6, 13.62, 3.2, 10)`);
    await conn.run(
      `INSERT INTO ${into('battery_system')} VALUES (1, 1, 'FRA1 UPS A', 'ups', 400, DATE '2020-01-01'), (2, 2, 'XSS1 UPS A', 'ups', 500, DATE '2021-01-01')`,
    );
    await conn.run(`INSERT INTO ${into('battery_string')} VALUES (1, 1, 1, 3, 1), (2, 2, 1, 3, 1)`);
    await conn.run(
      `INSERT INTO ${into('battery')} SELECT i, CASE WHEN i <= 3 THEN 1 ELSE 2 END, (i - 1) % 3 + 1, printf('VX-%06d', i), 1, DATE '2022-01-01' FROM range(1, 7) r(i)`,
    );
    const split = fixtureSplitMs();
    for (let d = 0; d < FIXTURE.coldDays; d++) {
      const from = FIXTURE.startMs + d * 86_400_000;
      await writeLakeDay(conn, wb.paths.lake, 'telemetry', from, telemetrySelect(from, from + 86_400_000, null));
      await writeLakeDay(conn, wb.paths.lake, 'string_telemetry', from, stringTelemetrySelect(from, from + 86_400_000, null));
    }
    const hotEnd = split + FIXTURE.hotDays * 86_400_000;
    await conn.run(`INSERT INTO ${t('telemetry')} ${telemetrySelect(split, hotEnd, 0)}`);
    await conn.run(`INSERT INTO ${t('string_telemetry')} ${stringTelemetrySelect(split, hotEnd, 0)}`);
    await conn.run(
      `INSERT INTO ${into('alert')} VALUES (1, 2, 1, 'temperature_high', 'warning', to_timestamp(${(split + 3_600_000) / 1000}), NULL, 35.5, 35, 'Temperature 35.5 C above 35.0 C'), ` +
        `(2, 5, 2, 'resistance_high', 'critical', to_timestamp(${(split - 86_400_000) / 1000}), NULL, 4.9, 4.8, '<script>alert(2)</script> message')`,
    );
    await conn.run(
      `INSERT INTO ${into('maintenance_event')} VALUES (1, 1, NULL, 'routine_inspection', to_timestamp(${(split + 7_200_000) / 1000}), 'A. Okafor', 'Monthly inspection')`,
    );
    await conn.run(
      `INSERT INTO ${into('capacity_test')} VALUES (1, 1, to_timestamp(${(split - 36_000_000) / 1000}), to_timestamp(${(split - 25_200_000) / 1000}), 19, 36.2, 96.5, 'pass')`,
    );
    await conn.run(
      `INSERT INTO ${t('rul_prediction')} SELECT b, to_timestamp(${split / 1000} + d * 86400), 900 - b * 100 - d, 3.3, 0.8, 'fixture', CAST(b * 10 + d AS BIGINT) FROM range(1, 7) x(b), range(0, 2) y(d)`,
    );
    for (const ds of ['telemetry', 'string_telemetry', 'alert', 'rul_prediction'] as const) {
      await conn.run(setSplitSql(ds, new Date(split).toISOString()));
    }
  } finally {
    conn.closeSync();
  }
  await wb.data.refresh();
}

export interface FixtureWorkbench {
  dir: string;
  wb: Workbench;
  conn: DuckDBConnection;
  close(): Promise<void>;
}

/**
 * A fresh workspace folder seeded with the fixture fleet and its rollups built, closed again (for child processes, or a
 * workbench opened on it with other settings). Listed in `made` for the caller's clean-up.
 */
export async function fixtureWorkspace(prefix: string, made: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  try {
    await seedFixture(wb);
    await wb.rollups.whenIdle();
  } finally {
    await wb.close();
  }
  return dir;
}

/** A fresh workspace seeded with the fixture fleet, its rollups built, and a connection to query it. */
export async function openFixtureWorkbench(prefix: string): Promise<FixtureWorkbench> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  await seedFixture(wb);
  await wb.rollups.whenIdle();
  const conn = await wb.engine.connect();
  return {
    dir,
    wb,
    conn,
    close: async () => {
      conn.closeSync();
      await wb.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Rows where gold.jar_first_days and its definition disagree (either way): every row of gold.jar_daily within its
 * jar's first FIRST_DAYS days, counted from the jar's first daily row.
 */
export async function firstDaysMismatches(conn: DuckDBConnection): Promise<number> {
  const daily = rollupTable(FAMILIES.jar, 'daily');
  const defined =
    `SELECT d.* FROM ${daily} d JOIN (SELECT battery_id, min(bucket) AS d0 FROM ${daily} GROUP BY battery_id) f ` +
    `USING (battery_id) WHERE d.bucket < f.d0 + INTERVAL ${FIRST_DAYS} DAY`;
  const reader = await conn.runAndReadAll(
    `SELECT count(*) FROM ((${defined} EXCEPT ALL SELECT * FROM ${JAR_FIRST_DAYS}) UNION ALL (SELECT * FROM ${JAR_FIRST_DAYS} EXCEPT ALL ${defined}))`,
  );
  return Number(reader.getRowsJS()[0]?.[0]);
}
