import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LifecyclePolicyInfo, RetentionPlan, RetentionReport } from '../../../shared/api/lifecycle';
import type { LakeCheckReport } from '../../../shared/api/storage';
import { queryRows } from '../engine/duck-query';
import { liveFiles } from '../lake/manifest';
import { FIXTURE, openFixtureWorkbench, type FixtureWorkbench } from '../rollups/fleet-fixture';
import { dispatcher } from '../testing/dispatch.fixture';

const DAY = 86_400_000;
const days = Array.from({ length: FIXTURE.coldDays }, (_, d) => new Date(FIXTURE.startMs + d * DAY).toISOString().slice(0, 10));
const hotDay = new Date(FIXTURE.startMs + FIXTURE.coldDays * DAY).toISOString().slice(0, 10);
const JARS = 6;
const READINGS = 288;

let fx: FixtureWorkbench;
const { ok, call } = dispatcher(() => fx.wb);

async function job<T>(channel: string, request: unknown): Promise<JobSummary<T>> {
  const started = await ok<{ jobId: string }>(channel, request);
  return (await fx.wb.jobs.wait(started.jobId)) as JobSummary<T>;
}

/** Rows of the unified view and readings of the jar rollups, per UTC day. */
async function perDay(): Promise<Record<string, { raw: number; gold: number }>> {
  const raw = await queryRows(fx.conn, `SELECT strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, count(*) AS n FROM telemetry GROUP BY 1`);
  const gold = await queryRows(
    fx.conn,
    `SELECT strftime(bucket AT TIME ZONE 'UTC', '%Y-%m-%d') AS d, sum(n) AS n FROM gold.jar_hourly GROUP BY 1`,
  );
  const out: Record<string, { raw: number; gold: number }> = {};
  for (const r of raw) out[String(r.d)] = { raw: Number(r.n), gold: 0 };
  for (const r of gold) out[String(r.d)] = { raw: out[String(r.d)]?.raw ?? 0, gold: Number(r.n) };
  return out;
}

/** A digest of every jar rollup of these days (all columns): proves them untouched. */
async function goldDigest(of: readonly string[]): Promise<string> {
  const list = of.map((d) => `'${d}'`).join(', ');
  const r = await queryRows(
    fx.conn,
    `SELECT count(*) AS n, sum(hash(COLUMNS(*))) AS h FROM gold.jar_hourly WHERE strftime(bucket AT TIME ZONE 'UTC', '%Y-%m-%d') IN (${list})`,
  );
  return `${String(r[0]?.n)}:${String(r[0]?.h)}`;
}

async function lakeCheck(): Promise<LakeCheckReport> {
  const s = await job<LakeCheckReport>('storage.checkLake', { repair: false });
  expect(s.state, JSON.stringify(s.error)).toBe('done');
  return s.report as LakeCheckReport;
}

describe('retention by policy (real DuckDB, real lake files, the fixture fleet)', () => {
  beforeAll(async () => {
    fx = await openFixtureWorkbench('bw-retention-');
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
  });

  it('a policy is kept in settings.json; unknown datasets and bad periods are refused, storing nothing', async () => {
    const before = await ok<{ policies: LifecyclePolicyInfo[] }>('lifecycle.policies', {});
    expect(before.policies.map((p) => [p.dataset, p.retainDays, p.legalHold, p.retirable])).toEqual([
      // The calculated metrics are derived per reading, no rollup keeps them.
      ['calc_telemetry', null, false, false],
      ['string_telemetry', null, false, true],
      ['telemetry', null, false, true],
    ]);
    const bad = await call('lifecycle.setPolicy', { dataset: 'telemetry', retainDays: 0 });
    expect(bad.ok).toBe(false);
    const missing = await call('lifecycle.setPolicy', { dataset: 'no_such', retainDays: 30 });
    expect(!missing.ok && missing.error.code).toBe('NOT_FOUND');
    const underived = await call('lifecycle.setPolicy', { dataset: 'calc_telemetry', retainDays: 30 });
    expect(!underived.ok && underived.error.message).toMatch(/No gold rollups are built from calc_telemetry/);
    // A legal hold is accepted anywhere.
    await ok('lifecycle.setPolicy', { dataset: 'calc_telemetry', legalHold: true });
    const set = await ok<{ policies: LifecyclePolicyInfo[] }>('lifecycle.setPolicy', { dataset: 'telemetry', retainDays: 365 });
    expect(set.policies.find((p) => p.dataset === 'telemetry')).toMatchObject({ retainDays: 365, legalHold: false });
    const file = JSON.parse(await readFile(join(fx.dir, 'settings.json'), 'utf8')) as { lifecycle?: unknown; hot?: unknown };
    expect(file.lifecycle).toEqual({ calc_telemetry: { legalHold: true }, telemetry: { retainDays: 365 } });
    expect(file.hot).toEqual({ kind: 'embedded' });
  });

  it('the dry run lists the days past the period with files, rows, bytes and the rollup count, and writes nothing', async () => {
    const filesBefore = (await fx.wb.data.lake.list('telemetry')).map((f) => f.key);
    const plan = await ok<RetentionPlan>('lifecycle.retention', { dataset: 'telemetry' });
    expect(plan.days.map((d) => [d.date, d.files, d.rows, d.rollupRows, d.status])).toEqual(
      days.map((d) => [d, 1, JARS * READINGS, JARS * READINGS, 'retire']),
    );
    expect(plan.days.every((d) => d.bytes > 0)).toBe(true);
    expect(plan.retire).toMatchObject({ days: 3, files: 3, rows: 3 * JARS * READINGS });
    expect(plan.summary).toMatch(/^3 day\(s\) of telemetry before \d{4}-\d{2}-\d{2} would be deleted/);
    expect((await fx.wb.data.lake.list('telemetry')).map((f) => f.key)).toEqual(filesBefore);
    // Kept for ever: nothing to plan.
    const other = await ok<RetentionPlan>('lifecycle.retention', { dataset: 'string_telemetry' });
    expect(other.days).toEqual([]);
    expect(other.summary).toMatch(/kept for ever/);
  });

  it('a legal hold keeps every day: the plan says held and applying is refused', async () => {
    await ok('lifecycle.setPolicy', { dataset: 'telemetry', legalHold: true });
    const plan = await ok<RetentionPlan>('lifecycle.retention', { dataset: 'telemetry' });
    expect(plan.days.map((d) => d.status)).toEqual(['held', 'held', 'held']);
    expect(plan.retire.days).toBe(0);
    const refused = await call('lifecycle.applyRetention', { dataset: 'telemetry', days });
    expect(!refused.ok && refused.error.message).toMatch(/legal hold is on for telemetry/);
    expect((await perDay())[days[0]]?.raw).toBe(JARS * READINGS);
    await ok('lifecycle.setPolicy', { dataset: 'telemetry', legalHold: false });
  });

  it('deletes only covered, confirmed days; a day the rollups do not cover is kept; the rollups of deleted days survive a full rebuild', async () => {
    // The rollups are behind on the second day (one hour of one jar missing): that day must stay.
    await fx.conn.run(`DELETE FROM gold.jar_hourly WHERE battery_id = 1 AND bucket = TIMESTAMPTZ '${days[1]} 05:00:00+00'`);
    const plan = await ok<RetentionPlan>('lifecycle.retention', { dataset: 'telemetry' });
    expect(plan.days.map((d) => d.status)).toEqual(['retire', 'not-covered', 'retire']);
    expect(plan.days[1].rollupRows).toBe(JARS * READINGS - 12);
    expect(plan.summary).toMatch(/1 day\(s\) are kept: the rollups do not cover them/);
    const before = await perDay();
    const goldBefore = await goldDigest([days[0], days[2]]);

    const s = await job<RetentionReport>('lifecycle.applyRetention', { dataset: 'telemetry', days: [...days, '2020-01-01'] });
    expect(s.state, JSON.stringify(s.error)).toBe('done');
    const report = s.report as RetentionReport;
    expect(report.days).toEqual([days[0], days[2]]);
    expect(report.rows).toBe(2 * JARS * READINGS);
    expect(report.kept).toEqual([
      { date: '2020-01-01', why: expect.stringMatching(/not a day of telemetry in the lake/) },
      { date: days[1], why: `the rollups hold ${JARS * READINGS - 12} of its ${JARS * READINGS} rows` },
    ]);
    await fx.wb.rollups.whenIdle();
    const after = await perDay();
    expect(after[days[0]]).toEqual({ raw: 0, gold: JARS * READINGS });
    expect(after[days[2]]).toEqual({ raw: 0, gold: JARS * READINGS });
    expect(after[days[1]]?.raw).toBe(JARS * READINGS);
    expect(after[hotDay]).toEqual(before[hotDay]);
    expect(await goldDigest([days[0], days[2]])).toBe(goldBefore);

    // A full rebuild recomputes every day from the raw rows, except the retired ones: their rollups are all that is left.
    await fx.wb.rollups.refreshNow(true).done;
    const rebuilt = await perDay();
    expect(rebuilt[days[0]]).toEqual({ raw: 0, gold: JARS * READINGS });
    expect(rebuilt[days[1]]).toEqual({ raw: JARS * READINGS, gold: JARS * READINGS });
    expect(await goldDigest([days[0], days[2]])).toBe(goldBefore);

    // The lake's record: a withdraw manifest naming the files, the days and why; the files are gone, the lake healthy.
    const manifests = await fx.wb.data.lake.manifests('telemetry');
    const withdrawal = manifests.find((m) => m.manifest.source === 'withdraw');
    expect(withdrawal?.manifest.withdraws).toHaveLength(2);
    expect(withdrawal?.manifest.reason).toMatch(
      new RegExp(
        `^retention: raw rows of 2 day\\(s\\) of telemetry from ${days[0]} to ${days[2]} \\(${2 * JARS * READINGS} rows in 2 file\\(s\\)\\)`,
      ),
    );
    expect([...liveFiles(manifests).keys()].map((k) => k.split('/')[1])).toEqual([`date=${days[1]}`]);
    const check = await lakeCheck();
    expect(check.problems).toEqual([]);

    // Now the rollups cover the second day again: the next dry run offers it, and says what was retired before.
    const next = await ok<RetentionPlan>('lifecycle.retention', { dataset: 'telemetry' });
    expect(next.days.map((d) => [d.date, d.status])).toEqual([[days[1], 'retire']]);
    expect(next.retired).toEqual({ days: 2, first: days[0], last: days[2] });
  }, 180_000);
});
