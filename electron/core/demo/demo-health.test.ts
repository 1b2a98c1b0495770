import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf } from '../../../shared/api/jobs';
import { buildDemoFleet } from '../../../shared/domain/demo-fleet';
import { planDemoJars, plannedHealth } from '../../../shared/domain/demo-plan';
import { DEMO_SCALES } from '../../../shared/domain/demo-scale';
import { DEFAULT_HEALTH_THRESHOLDS, HEALTH_CLASSES } from '../../../shared/domain/health';
import { healthCtes } from '../dashboard/health-sql';
import { queryRows } from '../engine/duck-query';
import { openDemoWorkbench, type DemoWorkbench } from '../testing/demo-workbench.fixture';

let demo: DemoWorkbench;
let report: DemoJobReport;

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-demo-health-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  await demo.wb.rollups.refreshNow().done;
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

describe('the small demo shows every health class', () => {
  it('at every site, by the dashboards health query over gold.jar_daily', async () => {
    const rows = await queryRows(
      demo.duck,
      `WITH ${healthCtes(DEFAULT_HEALTH_THRESHOLDS, Date.parse(report.window.end))}
SELECT l.code, h.health, count(*) AS jars
FROM health h JOIN battery b USING (battery_id) JOIN battery_string s ON s.string_id = b.string_id
JOIN battery_system y ON y.system_id = s.system_id JOIN location l ON l.location_id = y.location_id
GROUP BY ALL ORDER BY ALL`,
    );
    const sites = new Set(rows.map((r) => String(r.code)));
    expect(sites.size).toBe(DEMO_SCALES.small.sites);
    for (const site of sites) {
      const counts = Object.fromEntries(rows.filter((r) => r.code === site).map((r) => [String(r.health), Number(r.jars)]));
      for (const cls of HEALTH_CLASSES) expect(counts[cls] ?? 0, `${site} ${cls}`).toBeGreaterThan(0);
    }
  });

  it('each jar shows the class its plan promised', async () => {
    const rows = await queryRows(
      demo.duck,
      `WITH ${healthCtes(DEFAULT_HEALTH_THRESHOLDS, Date.parse(report.window.end))} SELECT battery_id, health, drift_pct FROM health ORDER BY battery_id`,
    );
    const start = new Date(report.window.start);
    const window = { start, split: new Date(report.window.split), end: new Date(report.window.end) };
    const plan = planDemoJars(buildDemoFleet(DEMO_SCALES.small, report.seed, start), window, report.seed);
    expect(rows.map((r) => [Number(r.battery_id), String(r.health)])).toEqual(plan.map((j) => [j.battery_id, plannedHealth(j)]));
  });

  it('keeps its promise of rows: none for a new jar before its installation', () => {
    expect(report.rows.telemetry).toEqual(report.promised.telemetry);
    expect(report.rows.string_telemetry).toEqual(report.promised.string_telemetry);
  });
});

describe('the small demo ships its feature sets materialized', () => {
  it('reports them, lists both sets materialized over every day of the fleet, and serves each jar its latest vector', async () => {
    expect(report.featuresError).toBeUndefined();
    expect(report.features?.sets.map((s) => [s.set, s.version, s.createdVersion])).toEqual([
      ['jar_daily_stats', 1, true],
      ['string_daily_spread', 1, true],
    ]);
    // One jar row per jar and UTC day with readings; one string row per string and day.
    const [expected] = await queryRows(
      demo.duck,
      `SELECT count(DISTINCT CAST(timezone('UTC', ts) AS DATE)) AS days, count(DISTINCT (battery_id, CAST(timezone('UTC', ts) AS DATE))) AS jar_days,
        count(DISTINCT battery_id) AS jars FROM telemetry`,
    );
    const { sets } = await demo.wb.core.features.list({}, { transport: 'test' });
    const jar = sets.find((s) => s.name === 'jar_daily_stats');
    const str = sets.find((s) => s.name === 'string_daily_spread');
    expect(jar?.versions).toEqual([
      expect.objectContaining({ version: 1, current: true, days: Number(expected.days), rows: Number(expected.jar_days) }),
    ]);
    expect(str?.versions).toEqual([expect.objectContaining({ version: 1, current: true, days: Number(expected.days) })]);
    expect(str?.versions[0].rows).toBeGreaterThan(0);
    expect(report.features?.sets[0].rows).toBe(Number(expected.jar_days));

    const got = await demo.wb.core.features.get({ set: 'jar_daily_stats' }, { transport: 'test' });
    expect(got.rows).toHaveLength(Number(expected.jars));
    const [last] = await queryRows(
      demo.duck,
      `SELECT CAST(CAST(timezone('UTC', max(ts)) AS DATE) AS VARCHAR) AS d FROM telemetry WHERE battery_id = 1`,
    );
    const lastDay = String(last.d);
    const one = got.rows.find((r) => r.battery_id === 1);
    expect(one).toMatchObject({ battery_id: 1, day: lastDay });
    expect(Number(one?.readings)).toBeGreaterThan(0);
    const files = (await demo.wb.data.lake.list('features')).filter((f) => f.key.startsWith('features/jar_daily_stats/v1/'));
    expect(files).toHaveLength(Number(expected.days));
  });
});
