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
