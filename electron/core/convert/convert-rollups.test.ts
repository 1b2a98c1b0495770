import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvertReport } from '../../../shared/api/convert';
import { reportOf } from '../../../shared/api/jobs';
import { queryNumber } from '../engine/duck-query';
import { FIXTURE, openFixtureWorkbench, type FixtureWorkbench } from '../rollups/fleet-fixture';
import { HOLD_AT_ENV, HOLD_FILE_ENV } from '../system/hold-point';

let fx: FixtureWorkbench;
let dir: string;

beforeAll(async () => {
  fx = await openFixtureWorkbench('bw-convert-rollups-');
  dir = await mkdtemp(join(tmpdir(), 'bw-convert-rollups-in-'));
}, 60_000);

afterAll(async () => {
  await fx?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One day of hourly readings for the fixture's six jars, `days` before its first day, as CSV. */
async function telemetryCsv(days: number): Promise<{ path: string; day: string; rows: number }> {
  const dayMs = FIXTURE.startMs - days * 86_400_000;
  const lines = ['battery_id,ts,voltage_v,temperature_c,resistance_mohm'];
  for (let h = 0; h < 24; h++)
    for (let jar = 1; jar <= 6; jar++)
      lines.push(`${jar},${new Date(dayMs + h * 3_600_000).toISOString()},13.5${h % 10},25.${jar},3.2${h % 10}`);
  const day = new Date(dayMs).toISOString().slice(0, 10);
  const path = join(dir, `telemetry-${day}.csv`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, day, rows: lines.length - 1 };
}

async function startConvert(input: string): Promise<string> {
  const res = await fx.wb.dispatch(
    'convert.start',
    { inputs: [input], target: { kind: 'lake', dataset: 'telemetry' }, partitionByDay: 'ts' },
    { transport: 'test' },
  );
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return (res.value as { jobId: string }).jobId;
}

const goldReadingsOn = (day: string): Promise<number> =>
  queryNumber(
    fx.conn,
    `SELECT coalesce(sum(n), 0) FROM gold.jar_hourly WHERE bucket >= TIMESTAMPTZ '${day} 00:00:00+00' AND bucket < TIMESTAMPTZ '${day} 00:00:00+00' + INTERVAL 1 DAY`,
  );

describe('a conversion into the lake and the rollups', () => {
  it('ends with the gold rollups including the converted rows, and says how long that took', async () => {
    const csv = await telemetryCsv(1);
    expect(await goldReadingsOn(csv.day)).toBe(0);
    const summary = await fx.wb.jobs.wait<ConvertReport>(await startConvert(csv.path));
    const report = reportOf(summary);
    expect(report.rows).toBe(csv.rows);
    expect(report.rollupMs).toBeGreaterThanOrEqual(0);
    expect(report.rollupError).toBeUndefined();
    // Right at the job's end, with nothing awaited in between.
    expect(await goldReadingsOn(csv.day)).toBe(csv.rows);
    expect(await queryNumber(fx.conn, 'SELECT sum(n) FROM gold.jar_hourly')).toBe(
      await queryNumber(fx.conn, 'SELECT count(*) FROM telemetry'),
    );
  });

  it('can be cancelled while it waits for the rollups: the conversion stands, the refresh goes on', async () => {
    const csv = await telemetryCsv(2);
    const hold = join(dir, 'hold');
    await writeFile(hold, '');
    process.env[HOLD_AT_ENV] = 'rollups:refresh';
    process.env[HOLD_FILE_ENV] = hold;
    try {
      const jobId = await startConvert(csv.path);
      await expect.poll(() => fx.wb.jobs.get(jobId)?.phase, { timeout: 60_000 }).toBe('rollups');
      expect(fx.wb.jobs.get(jobId)?.message).toMatch(/^Building rollups/);
      expect(fx.wb.jobs.cancel(jobId)).toBe(true);
      const summary = await fx.wb.jobs.wait(jobId);
      expect(summary.state).toBe('cancelled');
      // The rows are in the lake and the view; the history keeps the conversion as done, not failed.
      expect(
        await queryNumber(
          fx.conn,
          `SELECT count(*) FROM telemetry WHERE ts >= TIMESTAMPTZ '${csv.day} 00:00:00+00' AND ts < TIMESTAMPTZ '${csv.day} 00:00:00+00' + INTERVAL 1 DAY`,
        ),
      ).toBe(csv.rows);
      const history = await fx.wb.core.convert.history({ limit: 1 }, { transport: 'test' });
      expect(history.reports[0]).toMatchObject({ rows: csv.rows, error: null });
      expect(fx.wb.rollups.progress()).not.toBeNull();
    } finally {
      await rm(hold, { force: true });
      delete process.env[HOLD_AT_ENV];
      delete process.env[HOLD_FILE_ENV];
    }
    await fx.wb.rollups.whenIdle();
    expect(await goldReadingsOn(csv.day)).toBe(csv.rows);
  });
});
