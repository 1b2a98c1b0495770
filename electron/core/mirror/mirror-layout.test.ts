import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_THRESHOLDS } from '../../../shared/domain/health';
import { panelQuery } from '../dashboard/panels';
import { queryNumber, queryRows } from '../engine/duck-query';
import type { HotStore } from '../hot/hot-store';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import type { Workbench } from '../workbench';
import { clusterThreshold } from './mirror-layout';

// One jar's read of the hot mirror is narrow: the table is kept in (battery_id, ts) order, so DuckDB's row-group
// zonemaps skip every row group but the jar's. Measured with the profiler's rows scanned, not with a clock.

const ROW_GROUP = 122_880;
const DAY = 86_400_000;
const JAR = 77;

let wb: Workbench;
let hot: HotStore;
let duck: DuckDBConnection;
let demo: DemoWorkbench | undefined;

beforeAll(async () => {
  // 144 jars x 30 hot days x 288 readings: ~1.25M mirror rows, ~10 row groups.
  demo = await openDemoWorkbench('bw-mirror-layout-', { scale: 'small', daysHot: 30, daysCold: 1 });
  ({ wb, hot, duck } = demo);
  expect(demo.summary.error).toBeNull();
}, 600_000);

afterAll(async () => {
  await demo?.close();
});

/** Rows the table and Parquet scans of `sql` read (DuckDB's profiler). */
async function rowsScanned(sql: string): Promise<number> {
  const reader = await duck.runAndReadAll(`EXPLAIN (ANALYZE, FORMAT json) ${sql}`);
  const profile = JSON.parse(String(reader.getRows()[0][1])) as { cumulative_rows_scanned: number };
  return profile.cumulative_rows_scanned;
}

async function mirrorRows(): Promise<number> {
  return queryNumber(duck, 'SELECT count(*) FROM hot.telemetry');
}

/** The battery.voltage panel's SQL (raw M4 over the unified view) for one jar's last `days` days. */
async function jarPanelSql(days: number): Promise<string> {
  const end = await queryNumber(duck, 'SELECT epoch_ms(max(ts)) + 1 FROM hot.telemetry');
  const q = panelQuery({
    panel: 'battery.voltage',
    scope: { kind: 'battery', id: JAR },
    fromMs: end - days * DAY,
    toMs: end,
    // Wide enough for raw readings (5-minute buckets or finer) over the whole 30 days too.
    width: 9000,
    thresholds: { ...DEFAULT_HEALTH_THRESHOLDS },
  });
  expect(q.source).toBe('telemetry (raw, M4)');
  return q.sql;
}

async function unorderedRows(): Promise<number | null> {
  const rows = await queryRows(duck, "SELECT unordered_rows FROM _workbench.mirror_state WHERE dataset = 'telemetry'");
  return rows[0]?.unordered_rows === null ? null : Number(rows[0]?.unordered_rows);
}

/** PostgreSQL and the mirror hold the same telemetry rows (count and the sum of their ingest ids). */
async function expectMirrorEqualsPg(): Promise<void> {
  const pg = await hot.withClient(
    async (c) => (await c.query<{ n: string; s: string }>('SELECT count(*) AS n, sum(ingest_id) AS s FROM public.telemetry')).rows[0],
  );
  const mirror = (await queryRows(duck, 'SELECT count(*) AS n, sum(ingest_id) AS s FROM hot.telemetry'))[0];
  expect({ n: String(mirror.n), s: String(mirror.s) }).toEqual({ n: pg.n, s: pg.s });
}

describe('the hot mirror in (battery_id, ts) order', () => {
  it("reads one jar's 7 days, and its whole hot window, from one or two of the mirror's row groups", async () => {
    const total = await mirrorRows();
    expect(total).toBeGreaterThan(8 * ROW_GROUP);
    // In time order a week alone is ~3 row groups and the whole window all of them.
    for (const days of [7, 30]) {
      const scanned = await rowsScanned(await jarPanelSql(days));
      expect(scanned).toBeLessThanOrEqual(2 * ROW_GROUP);
      expect(scanned / total).toBeLessThan(0.25);
    }
    // The direct read of the mirror table too.
    const scanned = await rowsScanned(`SELECT count(*) FROM hot.telemetry WHERE battery_id = ${JAR}`);
    expect(scanned).toBeLessThanOrEqual(2 * ROW_GROUP);
    expect(await unorderedRows()).toBe(0);
  });

  it('counts rows a sync appends, and clusters the table again once they pass the threshold, losing none', async () => {
    // A day of late readings (one second after each of the last day's): below the threshold, appended as they are.
    const end = await queryNumber(duck, 'SELECT epoch_ms(max(ts)) FROM hot.telemetry');
    const append = async (fromMs: number, offsetS: number): Promise<number> =>
      hot.withClient(
        async (c) =>
          (
            await c.query(
              `INSERT INTO public.telemetry (battery_id, ts, voltage_v, temperature_c, resistance_mohm)
               SELECT battery_id, ts + make_interval(secs => $2), voltage_v, temperature_c, resistance_mohm
               FROM public.telemetry WHERE ts > to_timestamp($1::double precision / 1000) AND extract(second FROM ts) = 0`,
              [fromMs, offsetS],
            )
          ).rowCount ?? 0,
      );
    const small = await append(end - DAY, 1);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(clusterThreshold(await mirrorRows()));
    let report = await wb.data.syncNow(['telemetry']);
    expect(report.datasets[0]).toMatchObject({ dataset: 'telemetry', mode: 'incremental', rows: small, clustered: false });
    expect(await unorderedRows()).toBe(small);
    await expectMirrorEqualsPg();
    // Still narrow: the jar's row groups plus the appended tail.
    expect(await rowsScanned(await jarPanelSql(7))).toBeLessThanOrEqual(3 * ROW_GROUP);

    // Twelve more days of them: past the threshold, the table is rewritten in order, in one transaction.
    const big = await append(end - 12 * DAY, 2);
    expect(small + big).toBeGreaterThanOrEqual(clusterThreshold(await mirrorRows()));
    report = await wb.data.syncNow(['telemetry']);
    expect(report.datasets[0]).toMatchObject({ dataset: 'telemetry', mode: 'incremental', rows: big, clustered: true });
    expect(await unorderedRows()).toBe(0);
    await expectMirrorEqualsPg();
    expect(await rowsScanned(await jarPanelSql(7))).toBeLessThanOrEqual(2 * ROW_GROUP);
  }, 600_000);
});
