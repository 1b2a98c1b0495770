import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEpisode, AlertTestReport, FiredAlert } from '../../../shared/api/alerts';
import type { DemoJobReport } from '../../../shared/api/data';
import { reportOf } from '../../../shared/api/jobs';
import type { DemoPhenomena } from '../../../shared/domain/demo-phenomena';
import type { JarPlan } from '../../../shared/domain/demo-plan';
import { queryRows } from '../engine/duck-query';
import { EventBus } from '../events';
import { dispatcher } from '../testing/dispatch.fixture';
import { openDemoWorkbench, smallDemoPlans, type DemoWorkbench } from '../testing/demo-workbench.fixture';
import { alertRunOutcome } from './alert-job';
import { AlertService } from './alert-service';
import { AlertStore } from './alert-store';

/**
 * The shipped rules on a generated small demo: the dry run fires on what the generator seeded (outages and capacity
 * tests for low voltage, imbalanced jars for the string spread, hotspots for temperature) and on jars that fail by
 * plan, and never on a steady jar; a run writes alerts to PostgreSQL once, clears them, and hands them to the hook.
 */
let demo: DemoWorkbench;
let report: DemoJobReport;
let jars: JarPlan[];
let seeded: DemoPhenomena;
let scratch: string;
const { ok, call } = dispatcher(() => demo.wb);
async function err(channel: string, request: unknown): Promise<{ code: string; message: string }> {
  const r = await call(channel, request);
  if (r.ok) throw new Error(`${channel} succeeded where it should fail`);
  return r.error;
}
const profile = (id: number): string => jars.find((j) => j.battery_id === id)?.profile ?? 'unknown';
const failing = (id: number): boolean => !['steady', 'new'].includes(profile(id));
const ms = (iso: string | null): number => (iso === null ? Infinity : Date.parse(iso));

beforeAll(async () => {
  demo = await openDemoWorkbench('bw-alerts-demo-', { scale: 'small' });
  expect(demo.summary.state).toBe('done');
  report = reportOf(demo.summary) as DemoJobReport;
  ({ jars, seeded } = smallDemoPlans(report));
  scratch = await mkdtemp(join(tmpdir(), 'bw-alert-hook-'));
}, 300_000);

afterAll(async () => {
  await demo?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function dryRun(rule: string): Promise<AlertEpisode[]> {
  const r = await ok<AlertTestReport>('alerts.test', { rule, from: report.window.start, to: report.window.end });
  expect(r.rule.id).toBe(rule);
  return r.episodes;
}

describe('the dry run of the shipped rules over the small demo', () => {
  it('jar-voltage-low fires for the jars of each outage and capacity test that lasts, and nothing else', async () => {
    const episodes = await dryRun('jar-voltage-low');
    const jarsAt = await queryRows(
      demo.duck,
      `SELECT b.battery_id, b.string_id, y.location_id, m.cells FROM battery b JOIN battery_string s ON s.string_id = b.string_id
       JOIN battery_system y ON y.system_id = s.system_id JOIN battery_model m ON m.model_id = b.model_id`,
    );
    const tests = await queryRows(demo.duck, 'SELECT string_id, epoch_ms(started_at) AS s, epoch_ms(ended_at) AS e FROM capacity_test');
    // A discharge: a seeded outage of the jar's site, or a capacity test of its string (from its start to the recharge).
    const discharges = jarsAt.flatMap((j) => [
      ...seeded.outages
        .filter((o) => o.location_id === Number(j.location_id))
        .map((o) => ({ jar: Number(j.battery_id), cells: Number(j.cells), start: o.startMs, end: o.endMs, until: o.rechargeEndMs })),
      ...tests
        .filter((t) => Number(t.string_id) === Number(j.string_id))
        .map((t) => ({
          jar: Number(j.battery_id),
          cells: Number(j.cells),
          start: Number(t.s),
          end: Number(t.e),
          until: Number(t.e) + 3_600_000,
        })),
    ]);
    // Precision: every episode lies in a discharge of its jar, or is a jar that fails by plan (its voltage sags).
    for (const e of episodes) {
      const d = discharges.find((x) => x.jar === e.battery_id && ms(e.start) >= x.start && ms(e.start) < x.until);
      expect(d !== undefined || failing(e.battery_id), `jar ${e.battery_id} (${profile(e.battery_id)}) at ${e.start}`).toBe(true);
    }
    // Recall: a 12 V jar (6 cells) drops more than 0.5 V below float in any discharge of 45 minutes or more.
    const installed = (jar: number): number => jars.find((j) => j.battery_id === jar)?.firstReadingMs ?? 0;
    const long = discharges.filter((d) => d.cells === 6 && d.end - d.start >= 45 * 60_000 && d.start >= installed(d.jar));
    expect(long.length).toBeGreaterThan(0);
    for (const d of long) {
      const hit = episodes.some((e) => e.battery_id === d.jar && ms(e.start) >= d.start && ms(e.start) < d.end);
      expect(hit, `jar ${d.jar} discharging from ${new Date(d.start).toISOString()}`).toBe(true);
    }
    // A discharge shorter than the rule's 30 minutes never fires.
    for (const d of discharges.filter((x) => x.end - x.start < 30 * 60_000)) {
      expect(episodes.some((e) => e.battery_id === d.jar && ms(e.start) >= d.start && ms(e.start) < d.end)).toBe(false);
    }
  });

  it('string-spread-high names the imbalanced 12 V jars and jars that fail by plan, never a steady one', async () => {
    const episodes = await dryRun('string-spread-high');
    const cells = new Map(
      (await queryRows(demo.duck, 'SELECT b.battery_id, m.cells FROM battery b JOIN battery_model m ON m.model_id = b.model_id')).map(
        (r) => [Number(r.battery_id), Number(r.cells)],
      ),
    );
    const imbalanced = new Set(seeded.imbalanced.map((j) => j.battery_id));
    for (const e of episodes)
      expect(imbalanced.has(e.battery_id) || failing(e.battery_id), `jar ${e.battery_id} (${profile(e.battery_id)})`).toBe(true);
    const loud = seeded.imbalanced.filter((j) => Math.abs(j.offsetV) > 0.1);
    expect(loud.length).toBeGreaterThan(0);
    for (const j of loud) expect(episodes.some((e) => e.battery_id === j.battery_id)).toBe(true);
    // A 2 V jar's seeded offset (0.05 V) is under the rule's 0.1 V: quiet.
    for (const j of seeded.imbalanced.filter((x) => cells.get(x.battery_id) === 1)) {
      expect(episodes.some((e) => e.battery_id === j.battery_id)).toBe(false);
    }
  });

  it('jar-hotspot fires for every seeded hotspot for the whole range, else only for jars that fail by plan', async () => {
    const episodes = await dryRun('jar-hotspot');
    for (const h of seeded.hotspots) {
      const mine = episodes.filter((e) => e.battery_id === h.battery_id);
      expect(mine).toHaveLength(1);
      expect(mine[0].start).toBe(new Date(report.window.start).toISOString());
      expect(mine[0].end).toBeNull();
    }
    const hot = new Set(seeded.hotspots.map((h) => h.battery_id));
    for (const e of episodes)
      expect(hot.has(e.battery_id) || failing(e.battery_id), `jar ${e.battery_id} (${profile(e.battery_id)})`).toBe(true);
  });

  it('refuses an empty range and an unknown rule', async () => {
    expect((await err('alerts.test', { rule: 'jar-hotspot', from: report.window.end, to: report.window.start })).code).toBe('BAD_INPUT');
    expect((await err('alerts.test', { rule: 'no-such-rule', from: report.window.start, to: report.window.end })).code).toBe('NOT_FOUND');
  });
});

describe('a run writes alerts to PostgreSQL', () => {
  const told: FiredAlert[][] = [];
  const events = new EventBus();
  events.on((event, payload) => {
    if (event === 'alerts.raised') told.push((payload as { alerts: FiredAlert[] }).alerts);
  });
  const service = (): AlertService =>
    new AlertService({
      engine: demo.wb.engine,
      events,
      store: new AlertStore(demo.wb.engine),
      hotStore: async () => demo.hot,
      now: () => new Date(report.window.end),
    });
  const ruleAlerts = async (): Promise<{ alert_id: string; alert_type: string; battery_id: number; cleared_at: Date | null }[]> =>
    demo.hot.withClient(
      async (c) =>
        (await c.query(`SELECT alert_id, alert_type, battery_id, cleared_at FROM alert WHERE alert_type LIKE 'rule:%' ORDER BY alert_id`))
          .rows,
    );

  it('raises each open condition once, hands each to the hook as JSON, and never twice while open', async () => {
    const out = join(scratch, 'alerts.jsonl');
    const script = join(scratch, 'hook.cjs');
    await (
      await import('node:fs/promises')
    ).writeFile(
      script,
      `let s='';process.stdin.on('data',d=>s+=d);process.stdin.on('end',()=>{require('fs').appendFileSync(${JSON.stringify(out)}, s);});`,
    );
    const store = new AlertStore(demo.wb.engine);
    await store.setHook({ argv: [process.execPath, script], timeoutMs: 10_000 });
    const first = await service().run();
    expect(first.hook).toEqual({ ran: first.raised.length + first.cleared.length, failed: [] });
    const hotRaised = first.raised.filter((a) => a.rule === 'jar-hotspot' && a.clearedAt === null).map((a) => a.battery_id);
    for (const h of seeded.hotspots) expect(hotRaised).toContain(h.battery_id);
    const rows = await ruleAlerts();
    expect(rows).toHaveLength(first.raised.length);
    expect(rows.filter((r) => r.cleared_at === null)).toHaveLength(first.open);
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; alert: FiredAlert });
    expect(lines).toHaveLength(first.raised.length);
    expect(lines.map((l) => l.alert.alertId).sort((a, b) => a - b)).toEqual(first.raised.map((a) => a.alertId).sort((a, b) => a - b));
    expect(lines.every((l) => l.event === 'raised' && typeof l.alert.message === 'string')).toBe(true);

    // The app is told of the alerts that are open (not of episodes that already ended).
    expect(told).toEqual([first.raised.filter((a) => a.clearedAt === null)]);

    const second = await service().run();
    expect(second.raised).toEqual([]);
    expect(second.cleared).toEqual([]);
    expect(second.open).toBe(first.open);
    expect(await ruleAlerts()).toHaveLength(rows.length);
    expect(told).toHaveLength(1);
  }, 120_000);

  it('clears an alert when its condition ends; a failing hook is reported and nothing else breaks', async () => {
    const store = new AlertStore(demo.wb.engine);
    await store.setHook({
      argv: [process.execPath, '-e', 'process.stderr.write("mail server down\\n"); process.exit(3)'],
      timeoutMs: 10_000,
    });
    // The hotspots run 7.7 °C above ambient at most: above 8 °C the condition no longer holds.
    await service().setRule({ id: 'jar-hotspot', threshold: 8 });
    const before = (await ruleAlerts()).filter((r) => r.alert_type === 'rule:jar-hotspot' && r.cleared_at === null);
    const run = await service().run();
    const clearedIds = run.cleared.map((a) => a.alertId);
    for (const h of seeded.hotspots) {
      const open = before.find((r) => r.battery_id === h.battery_id);
      expect(open).toBeDefined();
      expect(clearedIds).toContain(Number(open!.alert_id));
    }
    const after = await ruleAlerts();
    for (const id of clearedIds) expect(after.find((r) => Number(r.alert_id) === id)?.cleared_at).not.toBeNull();
    expect(run.hook?.ran).toBe(run.raised.length + run.cleared.length);
    expect(run.hook?.failed.length).toBe(run.hook?.ran);
    expect(run.hook?.failed[0]).toMatch(/exited with code 3: mail server down/);
    const outcome = alertRunOutcome(run);
    expect(outcome.outcome).toBe('failed');
    expect(outcome.message).toMatch(/the command hook failed/);
    // A missing program is reported the same way.
    await store.setHook({ argv: [join(scratch, 'no-such-program')], timeoutMs: 10_000 });
    await service().setRule({ id: 'jar-hotspot', threshold: 5 });
    const again = await service().run();
    expect(again.raised.length).toBeGreaterThan(0);
    expect(again.hook?.failed[0]).toMatch(/could not be run/);
  }, 120_000);

  it('runs as the alerts job of the scheduler, its line in the schedule history', async () => {
    const started = await demo.wb.scheduler.runNow('alerts');
    expect(started).toMatchObject({ job: 'alerts', trigger: 'manual', outcome: 'running' });
    let line = started;
    for (let i = 0; i < 600 && line.outcome === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      line = (await demo.wb.scheduler.history(10, 'alerts')).find((r) => r.runId === started.runId) ?? line;
    }
    // The workbench's own service runs at the real now (the demo ends minutes before): the open alerts stay open.
    expect(line.outcome).toBe('done');
    expect(line.message).toMatch(/^3 rule\(s\): 0 raised, 0 cleared, \d+ open\.$/);
  }, 120_000);

  it('refuses a rule whose SQL writes, does not parse or lacks the columns, and stores nothing', async () => {
    const base = { title: 'mine', key: 'battery', op: 'above', threshold: 1 } as const;
    const bad = [
      { sql: 'DELETE FROM _workbench.alert_rule', why: /it reads, it never changes anything/ },
      { sql: 'SELEC 1', why: /parse|run/ },
      { sql: 'SELECT battery_id, ts FROM telemetry', why: /columns battery_id, ts, value/ },
      { sql: 'SELECT 1; SELECT 2', why: /one SELECT/ },
    ];
    for (const b of bad) {
      const e = await err('alerts.setRule', { id: 'mine', ...base, sql: b.sql });
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(b.why);
    }
    const rules = (await ok<{ rules: { id: string }[] }>('alerts.rules', {})).rules;
    expect(rules.map((r) => r.id)).not.toContain('mine');
    expect(rules.map((r) => r.id)).toEqual(expect.arrayContaining(['jar-voltage-low', 'string-spread-high', 'jar-hotspot']));
    expect((await err('alerts.setRule', { id: 'jar-hotspot', sql: 'SELECT 1' })).code).toBe('BAD_INPUT');
    const made = await ok<{ id: string; builtIn: boolean }>('alerts.setRule', {
      id: 'mine',
      ...base,
      sql: 'SELECT battery_id, ts, resistance_mohm AS value FROM telemetry',
    });
    expect(made).toMatchObject({ id: 'mine', builtIn: false });
  });
});
