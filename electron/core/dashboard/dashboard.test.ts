import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PANEL_IDS, type PanelData, type Scope, type ScopeKind } from '../../../shared/api/dashboard';
import { queryRows } from '../engine/duck-query';
import { TIER_SPLIT } from '../mirror/meta';
import { FIXTURE, fixtureSplitMs, openFixtureWorkbench, seedFixture, writeLakeDay, type FixtureWorkbench } from '../rollups/fleet-fixture';
import { HOLD_AT_ENV, HOLD_FILE_ENV } from '../system/hold-point';
import { openWorkbench, type Workbench } from '../workbench';
import { JAR_NAME_SQL } from './jar-name';
import { chooseResolution, m4RawSql } from './m4';

let fx: FixtureWorkbench;
let wb: Workbench;
let conn: DuckDBConnection;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-dash-');
  ({ wb, conn } = fx);
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

async function panel(request: Record<string, unknown>, on: Workbench = wb): Promise<PanelData> {
  const res = await on.dispatch('dashboard.panel', request, { transport: 'test' });
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as PanelData;
}

/** The fixture has 4 days: a 1-day baseline leaves 3 days of drift. */
const SHORT_BASELINE = { watchPct: 10, degradedPct: 20, replacePct: 50, baselineDays: 1 };
const ALL_FROM = new Date(FIXTURE.startMs).toISOString();
const ALL_TO = new Date(fixtureSplitMs() + FIXTURE.hotDays * 86_400_000).toISOString();
/** A panel request over the fixture's whole history. */
const whole = (panelId: string, scope: Scope, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  panel: panelId,
  scope,
  from: ALL_FROM,
  to: ALL_TO,
  width: 300,
  ...extra,
});

describe('M4 downsampling', () => {
  it('keeps the first, last, min and max reading of every pixel bucket', async () => {
    const from = fixtureSplitMs() - 86_400_000;
    const to = fixtureSplitMs() + 86_400_000;
    const width = 50;
    const bucket = (to - from) / width;
    const points = `SELECT battery_id AS k, ts, voltage_v AS v FROM telemetry WHERE battery_id = 3 AND ts >= to_timestamp(${from / 1000}) AND ts < to_timestamp(${to / 1000})`;
    const m4 = await queryRows(conn, m4RawSql(points, from, bucket));
    const raw = await queryRows(conn, `SELECT CAST(epoch_ms(ts) AS DOUBLE) AS t, CAST(v AS DOUBLE) AS v FROM (${points}) ORDER BY ts`);
    expect(raw.length).toBe(576);
    expect(m4.length).toBeLessThanOrEqual(4 * width);
    expect(m4.length).toBeGreaterThan(2 * width);
    const got = new Set(m4.map((r) => `${Number(r.t)}:${Number(r.v)}`));
    const byBucket = new Map<number, { t: number; v: number }[]>();
    for (const r of raw) {
      const t = Number(r.t);
      const b = Math.floor((t - from) / bucket);
      byBucket.set(b, [...(byBucket.get(b) ?? []), { t, v: Number(r.v) }]);
    }
    expect(byBucket.size).toBe(width);
    for (const pts of byBucket.values()) {
      const first = pts[0];
      const last = pts[pts.length - 1];
      const min = Math.min(...pts.map((p) => p.v));
      const max = Math.max(...pts.map((p) => p.v));
      expect(got.has(`${first.t}:${first.v}`)).toBe(true);
      expect(got.has(`${last.t}:${last.v}`)).toBe(true);
      // Some reading with the min (and the max) value is kept, inside this bucket.
      expect(pts.some((p) => p.v === min && got.has(`${p.t}:${p.v}`))).toBe(true);
      expect(pts.some((p) => p.v === max && got.has(`${p.t}:${p.v}`))).toBe(true);
    }
    // Nothing else is kept: every point is one of its bucket's extremes.
    for (const r of m4) {
      const pts = byBucket.get(Math.floor((Number(r.t) - from) / bucket)) ?? [];
      const vs = pts.map((p) => p.v);
      const v = Number(r.v);
      expect([pts[0]?.v, pts[pts.length - 1]?.v, Math.min(...vs), Math.max(...vs)]).toContain(v);
    }
  });

  it('from the hourly rollup equals M4 on raw readings with the same whole-hour buckets', async () => {
    const from = FIXTURE.startMs;
    const to = fixtureSplitMs() + 86_400_000;
    const width = 40;
    const res = chooseResolution(from, to, width);
    expect(res.kind).toBe('hourly');
    expect(res.bucketMs % 3_600_000).toBe(0);
    const viaRollup = await panel({
      panel: 'battery.resistance',
      scope: { kind: 'battery', id: 4 },
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      width,
    });
    expect(viaRollup.source).toContain('gold.jar_hourly');
    const points = `SELECT battery_id AS k, ts, resistance_mohm AS v FROM telemetry WHERE battery_id = 4 AND ts >= to_timestamp(${from / 1000}) AND ts < to_timestamp(${to / 1000})`;
    const raw = await queryRows(conn, m4RawSql(points, from, res.bucketMs));
    const key = (t: unknown, v: unknown): string => `${Number(t)}:${Number(v)}`;
    // Same first/last/min/max values per bucket; the time of a tied min or max may differ, so compare per bucket.
    const group = (rows: { t: number; v: number }[]): Map<number, number[]> => {
      const m = new Map<number, number[]>();
      for (const r of rows) {
        const b = Math.floor((r.t - from) / res.bucketMs);
        m.set(
          b,
          [...(m.get(b) ?? []), r.v].sort((a, b2) => a - b2),
        );
      }
      return m;
    };
    const a = group(raw.map((r) => ({ t: Number(r.t), v: Number(r.v) })));
    const b = group(viaRollup.rows.map((r) => ({ t: Number(r[1]), v: Number(r[2]) })));
    expect(b.size).toBe(a.size);
    for (const [k, vs] of a) {
      const ws = b.get(k) ?? [];
      expect(Math.min(...ws), `bucket ${k} min`).toBe(Math.min(...vs));
      expect(Math.max(...ws), `bucket ${k} max`).toBe(Math.max(...vs));
    }
    expect(raw.map((r) => key(r.t, r.v))[0]).toBe(key(viaRollup.rows[0][1], viaRollup.rows[0][2]));
  });
});

describe('dashboard panels', () => {
  it('every panel answers for its scope, with its SQL and full-resolution export SQL', async () => {
    // The fixture has no discharge, no anomaly and no battery-room sensor: those panels are checked on the demo
    // (analytics-panels.test.ts; the ambient panel in mirror.test.ts).
    const FINDINGS: ReadonlySet<string> = new Set(['string.discharges', 'fleet.anomalies', 'scope.ambient']);
    const scopes: Record<string, { kind: ScopeKind; id?: number }[]> = {
      fleet: [{ kind: 'fleet' }],
      scope: [
        { kind: 'location', id: 1 },
        { kind: 'system', id: 1 },
        { kind: 'string', id: 1 },
      ],
      battery: [{ kind: 'battery', id: 2 }],
      string: [{ kind: 'string', id: 1 }],
    };
    for (const id of PANEL_IDS) {
      for (const scope of scopes[id.split('.')[0]]) {
        const data = await panel({ panel: id, scope, from: ALL_FROM, to: ALL_TO, width: 300, thresholds: SHORT_BASELINE });
        if (!FINDINGS.has(id)) expect(data.rows.length, `${id} ${scope.kind}`).toBeGreaterThan(0);
        expect(data.exportSql.length).toBeGreaterThan(0);
        // Open as SQL: the panel's query runs as it stands in the editor.
        const again = await conn.runAndReadAll(data.sql);
        expect(again.currentRowCount, `${id} re-run`).toBe(data.rows.length);
      }
    }
  });

  it('keeps hostile names as text and classifies health against each jar’s baseline', async () => {
    const sites = await panel({ panel: 'fleet.sites', scope: { kind: 'fleet' }, from: ALL_FROM, to: ALL_TO, width: 300 });
    const names = sites.rows.map((r) => r[sites.columns.indexOf('name')]);
    expect(names).toContain(FIXTURE.siteNames[1]);
    const jars = sites.rows.map((r) => Number(r[sites.columns.indexOf('jars')]));
    expect(jars).toEqual([3, 3]);
    // Fixture resistance grows 0.01 %/slot x jar id over 4 days (1152 slots): jar 6 drifts most.
    const unknown = await panel({ panel: 'battery.health', scope: { kind: 'battery', id: 6 }, from: ALL_FROM, to: ALL_TO, width: 300 });
    // The default 7-day baseline is longer than the fixture's history: no class yet.
    expect(unknown.rows[0][unknown.columns.indexOf('health')]).toBe('unknown');
    const drift = await panel({
      panel: 'battery.health',
      scope: { kind: 'battery', id: 6 },
      from: ALL_FROM,
      to: ALL_TO,
      width: 300,
      thresholds: SHORT_BASELINE,
    });
    const pct = Number(drift.rows[0][drift.columns.indexOf('drift_pct')]);
    expect(pct).toBeGreaterThan(10);
    const strict = await panel({
      panel: 'battery.health',
      scope: { kind: 'battery', id: 6 },
      from: ALL_FROM,
      to: ALL_TO,
      width: 300,
      thresholds: { watchPct: 1, degradedPct: 2, replacePct: 3, baselineDays: 1 },
    });
    expect(strict.rows[0][strict.columns.indexOf('health')]).toBe('replace');
    // A range ending long after the jar's last reading: its current day is found further back than the recent days
    // the health query looks at first, so the drift is the same.
    const later = await panel({
      panel: 'battery.health',
      scope: { kind: 'battery', id: 6 },
      from: ALL_FROM,
      to: new Date(Date.parse(ALL_TO) + 90 * 86_400_000).toISOString(),
      width: 300,
      thresholds: SHORT_BASELINE,
    });
    for (const col of ['drift_pct', 'current_day', 'health']) {
      expect(later.columns, col).toContain(col);
      expect(later.rows[0][later.columns.indexOf(col)], col).toEqual(drift.rows[0][drift.columns.indexOf(col)]);
    }
  });

  it('names a jar the same way in every panel and header: site code, system, string, jar', async () => {
    const JAR2 = 'FRA1 UPS A · S1 · J2';
    const column = (d: PanelData, name: string): unknown[] => d.rows.map((r) => r[d.columns.indexOf(name)]);
    const jarOf = (d: PanelData, jarColumn: string, idColumn: string): unknown =>
      column(d, jarColumn)[column(d, idColumn).findIndex((id) => Number(id) === 2)];
    const range = { from: ALL_FROM, to: ALL_TO, width: 300, thresholds: SHORT_BASELINE };
    const fleet = { kind: 'fleet' };
    expect(jarOf(await panel({ panel: 'fleet.atRisk', scope: fleet, ...range }), 'jar', 'battery_id')).toBe(JAR2);
    expect(jarOf(await panel({ panel: 'fleet.hotspots', scope: fleet, ...range }), 'jar', 'battery_id')).toBe(JAR2);
    // The fixture's one alert is jar 2's: the site's table names it, not "2".
    expect(jarOf(await panel({ panel: 'scope.alerts', scope: { kind: 'location', id: 1 }, ...range }), 'jar', 'battery_id')).toBe(JAR2);
    expect(jarOf(await panel({ panel: 'scope.children', scope: { kind: 'string', id: 1 }, ...range }), 'name', 'id')).toBe(JAR2);
    const events = await panel({ panel: 'scope.events', scope: { kind: 'string', id: 1 }, ...range });
    expect(column(events, 'string_name')).toContain('FRA1 UPS A · S1');
    // String series on a site page carry the string's name for the legend (raw and from the rollups).
    for (const p of ['scope.stringVoltage', 'scope.balance'] as const) {
      for (const width of [300, 20]) {
        const series = await panel({ panel: p, scope: { kind: 'location', id: 1 }, ...range, width });
        expect(series.columns.slice(0, 4)).toEqual(['k', 't', 'v', 'name']);
        expect(series.rows.find((r) => Number(r[0]) === 1)?.[3]).toBe('FRA1 UPS A · S1');
      }
    }
    const entity = await wb.dispatch('dashboard.entity', { scope: { kind: 'battery', id: 2 } }, { transport: 'test' });
    if (!entity.ok) throw new Error(entity.error.message);
    const info = entity.value as { name: string; path: { kind: string; name: string }[] };
    expect(info.name).toBe(JAR2);
    expect(info.path.map((p) => p.name)).toEqual([FIXTURE.siteNames[0], 'FRA1 UPS A', 'FRA1 UPS A · S1', JAR2]);
  });

  it('puts the site code in front of a system name that lacks it, once', async () => {
    const nameOf = async (code: string | null, system: string): Promise<unknown> =>
      (
        await queryRows(
          conn,
          `SELECT ${JAR_NAME_SQL} AS jar FROM (SELECT $1::VARCHAR AS code) l, (SELECT $2::VARCHAR AS name) y, (SELECT 3 AS string_no) s, (SELECT 10 AS position) b`,
          [code, system],
        )
      )[0]?.jar;
    expect(await nameOf('FRA1', 'FRA1 UPS A')).toBe('FRA1 UPS A · S3 · J10');
    expect(await nameOf('AMS1', 'Rectifier B')).toBe('AMS1 Rectifier B · S3 · J10');
    expect(await nameOf('AMS1', 'AMS10 UPS')).toBe('AMS1 AMS10 UPS · S3 · J10');
    expect(await nameOf(null, 'UPS C')).toBe('UPS C · S3 · J10');
  });

  it('counts open alerts as the unified view does, from the hot mirror alone, with cleared alerts in both tiers', async () => {
    const local = await openFixtureWorkbench('bw-dash-alerts-');
    try {
      const c = local.conn;
      const split = fixtureSplitMs();
      const cols = 'alert_id, battery_id, string_id, alert_type, severity, raised_at, cleared_at, value, threshold, message';
      // The lake: copies of the two open hot alerts, cleared before the split, and one with no clearing time (which
      // the view never shows from the cold tier).
      await writeLakeDay(
        c,
        local.wb.paths.lake,
        'alert',
        FIXTURE.startMs,
        `SELECT alert_id + 100 AS alert_id, battery_id, string_id, alert_type, severity, raised_at - INTERVAL 2 DAY AS raised_at, ` +
          `raised_at - INTERVAL 1 DAY AS cleared_at, value, threshold, message FROM hot.alert ` +
          `UNION ALL SELECT alert_id + 200, battery_id, string_id, alert_type, severity, raised_at - INTERVAL 2 DAY, NULL, value, threshold, message FROM hot.alert`,
        'alerts',
      );
      // The hot store: one more alert, cleared after the split.
      await c.run(
        `INSERT INTO hot.alert (${cols}) VALUES (3, 1, 1, 'voltage_low', 'warning', to_timestamp(${(split + 3_600_000) / 1000}), ` +
          `to_timestamp(${(split + 7_200_000) / 1000}), 13.1, 13.2, 'cleared in the hot window')`,
      );
      await local.wb.data.refresh();
      const tiers = await queryRows(
        c,
        'SELECT tier, count(*) FILTER (WHERE cleared_at IS NULL) AS open, count(*) AS n FROM alert GROUP BY tier ORDER BY tier',
      );
      expect(tiers.map((r) => [r.tier, Number(r.open), Number(r.n)])).toEqual([
        ['cold', 0, 2],
        ['hot', 2, 3],
      ]);

      const viewed = await queryRows(
        c,
        'SELECT severity, alert_type, count(*) AS n FROM alert WHERE cleared_at IS NULL GROUP BY ALL ORDER BY severity, alert_type',
      );
      const alerts = await panel(whole('fleet.alerts', { kind: 'fleet' }), local.wb);
      const col = (name: string): number => alerts.columns.indexOf(name);
      const shown = alerts.rows
        .map((r) => [r[col('severity')], r[col('alert_type')], Number(r[col('alerts')])])
        .sort((a, b) => `${String(a[0])}${String(a[1])}`.localeCompare(`${String(b[0])}${String(b[1])}`));
      expect(shown).toEqual(viewed.map((r) => [r.severity, r.alert_type, Number(r.n)]));
      expect(alerts.sql).not.toMatch(/\bFROM alert\b/);

      const sites = await panel(whole('fleet.sites', { kind: 'fleet' }), local.wb);
      const total = (name: string): number => sites.rows.reduce((a, r) => a + Number(r[sites.columns.indexOf(name)]), 0);
      expect([total('alerts_critical'), total('alerts_warning')]).toEqual([1, 1]);
    } finally {
      await local.close();
    }
  });

  it("finds each site's newest reading before the range end from the daily and hourly rollups, as the hourly rollup alone has it", async () => {
    const split = fixtureSplitMs();
    const ends = [
      split + 13.5 * 3_600_000, // inside the last day, mid-hour
      split, // a day boundary: the end's day holds no hour before it
      split - 86_400_000 + 7 * 3_600_000, // inside a cold day
      split + 5 * 86_400_000, // after every reading
    ];
    for (const toMs of ends) {
      const fresh = await panel({
        panel: 'fleet.freshness',
        scope: { kind: 'fleet' },
        from: new Date(toMs - 86_400_000).toISOString(),
        to: new Date(toMs).toISOString(),
        width: 300,
      });
      const shown = fresh.rows.map((r) => [Number(r[fresh.columns.indexOf('location_id')]), r[fresh.columns.indexOf('last_reading')]]);
      const hourly = await queryRows(
        conn,
        `SELECT l.location_id, CAST(epoch_ms(max(h.last_ts)) AS DOUBLE) AS last FROM location l ` +
          `LEFT JOIN gold.site_hourly h ON h.location_id = l.location_id AND h.bucket < make_timestamptz(${toMs * 1000}) ` +
          `GROUP BY l.location_id ORDER BY l.location_id`,
      );
      expect(shown, new Date(toMs).toISOString()).toEqual(
        hourly.map((r) => [Number(r.location_id), r.last === null ? null : Number(r.last)]),
      );
      expect(shown.some(([, last]) => last !== null)).toBe(true);
    }
  });

  it('reads the RUL predictions of a range in the hot tier from the mirror alone, the rows the unified view gives', async () => {
    const local = await openFixtureWorkbench('bw-dash-rul-');
    try {
      const c = local.conn;
      const split = fixtureSplitMs();
      // The lake: the day before the split, one prediction per jar with another RUL than the hot ones.
      await writeLakeDay(
        c,
        local.wb.paths.lake,
        'rul_prediction',
        split - 86_400_000,
        `SELECT b AS battery_id, to_timestamp(${(split - 86_400_000) / 1000}) AS predicted_at, 50 + b AS rul_days, ` +
          `CAST(3.1 AS DECIMAL(6,2)) AS resistance_mohm, CAST(0.7 AS DECIMAL(4,3)) AS confidence, 'cold' AS model_version FROM range(1, 7) x(b)`,
        'rul',
      );
      await local.wb.data.refresh();
      const hotRange = { from: new Date(split).toISOString(), to: new Date(split + 2 * 86_400_000).toISOString(), width: 300 };
      const wider = { ...hotRange, from: new Date(split - 86_400_000).toISOString() };
      const rowsOf = async (sql: string): Promise<unknown[][]> => (await c.runAndReadAll(sql)).getRows().map((r) => r.map(String));

      // Every jar's latest prediction in the hot range: from the mirror, the same rows as the view (its export).
      const risk = await panel({ panel: 'fleet.atRisk', scope: { kind: 'fleet' }, ...hotRange }, local.wb);
      expect(risk.source).toMatch(/hot tier only/);
      expect(risk.sql).toMatch(/FROM \(SELECT [^)]* FROM "?hot"?\."?rul_prediction"?\)/);
      expect(risk.exportSql).toMatch(/FROM "?main"?\."?rul_prediction"? WHERE/);
      expect(risk.rows).toHaveLength(6);
      expect(risk.rows.map((r) => r.map(String))).toEqual(await rowsOf(risk.exportSql));
      // A range that reaches into the cold tier reads the unified view, the lake's day with it.
      const riskWide = await panel({ panel: 'fleet.atRisk', scope: { kind: 'fleet' }, ...wider }, local.wb);
      expect(riskWide.source).not.toMatch(/hot tier/);
      expect(riskWide.sql).toBe(riskWide.exportSql.replace(/\n$/, '') + '\nLIMIT 12');

      const one = await panel({ panel: 'battery.rul', scope: { kind: 'battery', id: 1 }, ...hotRange }, local.wb);
      expect(one.source).toBe('rul_prediction (hot tier only)');
      expect(one.rows.map((r) => r.map(String))).toEqual(await rowsOf(one.exportSql));
      expect(one.rows.map((r) => Number(r[one.columns.indexOf('rul_days')]))).toEqual([800, 799]);
      const oneWide = await panel({ panel: 'battery.rul', scope: { kind: 'battery', id: 1 }, ...wider }, local.wb);
      expect(oneWide.source).toBe('rul_prediction');
      expect(oneWide.rows.map((r) => Number(r[oneWide.columns.indexOf('rul_days')]))).toEqual([51, 800, 799]);

      // A split between two whole milliseconds: a range from the millisecond before it reaches below it.
      await c.run(`UPDATE ${TIER_SPLIT} SET split_at = split_at + INTERVAL 500 MICROSECONDS WHERE dataset = 'rul_prediction'`);
      const straddling = await panel({ panel: 'fleet.atRisk', scope: { kind: 'fleet' }, ...hotRange }, local.wb);
      expect(straddling.source).not.toMatch(/hot tier/);
      const after = { ...hotRange, from: new Date(split + 1).toISOString() };
      expect((await panel({ panel: 'fleet.atRisk', scope: { kind: 'fleet' }, ...after }, local.wb)).source).toMatch(/hot tier only/);
    } finally {
      await local.close();
    }
  });
  it('rejects bad requests with a clear error', async () => {
    const res = await wb.dispatch(
      'dashboard.panel',
      { panel: 'battery.voltage', scope: { kind: 'fleet' }, from: ALL_FROM, to: ALL_TO },
      { transport: 'test' },
    );
    expect(res.ok).toBe(false);
    const missing = await wb.dispatch('dashboard.entity', { scope: { kind: 'battery', id: 999 } }, { transport: 'test' });
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');
    const backwards = await wb.dispatch(
      'dashboard.panel',
      { panel: 'fleet.sites', scope: { kind: 'fleet' }, from: ALL_TO, to: ALL_FROM },
      { transport: 'test' },
    );
    expect(backwards.ok === false && backwards.error.code).toBe('INVALID_REQUEST');
  });
});

describe('panels while the rollups build', () => {
  /** Holds every rollup refresh at its start (BW_HOLD_AT) until the returned release is called. */
  async function holdRefreshes(): Promise<{ release: () => Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'bw-hold-'));
    const file = join(dir, 'hold');
    await writeFile(file, '');
    process.env[HOLD_AT_ENV] = 'rollups:refresh';
    process.env[HOLD_FILE_ENV] = file;
    return {
      release: async () => {
        await rm(dir, { recursive: true, force: true });
        delete process.env[HOLD_AT_ENV];
        delete process.env[HOLD_FILE_ENV];
      },
    };
  }

  it('draws rollup rows with their build state while a refresh runs, and without it once the refresh ended', async () => {
    const hold = await holdRefreshes();
    try {
      const { jobId, done } = wb.rollups.refreshNow(true);
      expect(jobId).not.toBeNull();
      const sites = await panel(whole('fleet.sites', { kind: 'fleet' }));
      expect(sites.rows.length).toBe(2);
      expect(sites.rollups).toMatchObject({ building: true, fraction: 0 });
      const voltage = await panel(whole('scope.stringVoltage', { kind: 'location', id: 1 }, { width: 40 }));
      expect(voltage.source).toContain('gold.string_hourly');
      expect(voltage.rollups?.building).toBe(true);
      expect(voltage.rows.length).toBeGreaterThan(0);
      // A panel that reads no rollup has nothing to wait for.
      const alerts = await panel(whole('fleet.alerts', { kind: 'fleet' }));
      expect(alerts.rollups).toBeUndefined();
      await hold.release();
      await done;
    } finally {
      await hold.release();
    }
    const after = await panel(whole('fleet.sites', { kind: 'fleet' }));
    expect(after.rollups).toBeUndefined();
    expect(after.rows.length).toBe(2);
  });

  it('leaves out the rows of rollups not built yet: building while the first refresh runs, not built once it was cancelled', async () => {
    const hold = await holdRefreshes();
    const dir = await mkdtemp(join(tmpdir(), 'bw-dash-first-'));
    const fresh = await openWorkbench({ workspaceDir: dir, entry: 'test' });
    try {
      // Seeding refreshes the views, which schedules the first rollup refresh: it waits at the hold.
      await seedFixture(fresh);
      const request = whole('fleet.sites', { kind: 'fleet' }, { thresholds: SHORT_BASELINE });
      const building = await panel(request, fresh);
      // Without the build state these rows would be two sites of jars that all have "No baseline".
      expect(building.rows).toEqual([]);
      expect(building.rollups).toMatchObject({ building: true });
      const health = await panel(whole('battery.health', { kind: 'battery', id: 6 }), fresh);
      expect(health.rows).toEqual([]);
      expect(health.rollups?.building).toBe(true);
      // Raw readings are there already: a short-range series reads them and is not held back.
      const raw = await panel(
        whole('battery.voltage', { kind: 'battery', id: 6 }, { to: new Date(FIXTURE.startMs + 3_600_000).toISOString() }),
        fresh,
      );
      expect(raw.source).toContain('raw');
      expect(raw.rollups).toBeUndefined();
      expect(raw.rows.length).toBeGreaterThan(0);

      const running = fresh.jobs.list().find((j) => j.kind === 'rollups' && j.state === 'running');
      expect(running).toBeDefined();
      fresh.jobs.cancel(running!.jobId);
      await fresh.rollups.whenIdle();
      const unbuilt = await panel(request, fresh);
      expect(unbuilt.rows).toEqual([]);
      expect(unbuilt.rollups?.building).toBe(false);
      expect(unbuilt.rollups?.message).toMatch(/not built.*cancelled/);
    } finally {
      await hold.release();
      await fresh.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
