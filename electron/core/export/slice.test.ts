import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { SliceEstimate, SliceManifest, SliceReport, SliceValidation } from '../../../shared/api/slice';
import type { SliceSpecInput } from '../../../shared/domain/slice-spec';
import { quoteLiteral } from '../../../shared/sql';
import { queryNumber, queryRows } from '../engine/duck-query';
import { openWorkbench, type Workbench } from '../workbench';
import { seedSliceWorkspace, type SliceFixture } from './slice-workspace.fixture';

let dir: string;
let outRoot: string;
let wb: Workbench;
let fx: SliceFixture;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-slice-'));
  outRoot = await mkdtemp(join(tmpdir(), 'bw-slice-out-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  fx = await seedSliceWorkspace(wb);
  duck = await wb.engine.connect();
  await duck.run("SET TimeZone = 'UTC'");
});

afterAll(async () => {
  duck?.closeSync();
  await wb?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
});

async function call<T>(channel: string, request: unknown): Promise<T> {
  const res = await wb.dispatch(channel, request, { transport: 'test' });
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.value as T;
}

async function runSlice(spec: unknown, path?: string): Promise<SliceReport> {
  const { jobId } = await call<{ jobId: string }>('slice.run', path === undefined ? { spec } : { spec, path });
  const summary = (await wb.jobs.wait(jobId)) as JobSummary;
  expect(summary.error).toBeNull();
  expect(summary.state).toBe('done');
  return summary.report as SliceReport;
}

function parquet(report: SliceReport, split: string): string {
  return quoteLiteral(join(report.dir, split, 'part-0000.parquet'));
}

/** 06:00 on day 0 to 06:00 on day 3: across the tier split (start of day 2). */
function range(): { from: string; to: string } {
  const d = (days: number, hours: number): string => new Date(Date.parse(fx.start) + days * 86_400_000 + hours * 3_600_000).toISOString();
  return { from: d(0, 6), to: d(3, 6) };
}

describe('training slice', () => {
  it('counts the unified view over the range, across both tiers, in key order', async () => {
    const { from, to } = range();
    const spec: SliceSpecInput = { dataset: 'telemetry', from, to, columns: ['battery_id', 'ts', 'voltage_v', 'temperature_c'] };
    const expected = await queryNumber(duck, `SELECT count(*) FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ`, [
      from,
      to,
    ]);
    const tiers = await queryRows(
      duck,
      `SELECT DISTINCT tier FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ ORDER BY 1`,
      [from, to],
    );
    expect(tiers.map((t) => t.tier)).toEqual(['cold', 'hot']);

    const estimate = await call<SliceEstimate>('slice.estimate', { spec });
    expect(estimate.rows).toBe(expected);
    expect(estimate.schema.map((c) => c.name)).toEqual(['battery_id', 'ts', 'voltage_v', 'temperature_c']);

    const report = await runSlice(spec, join(outRoot, 'plain'));
    const m = report.manifest;
    expect(m.rows).toBe(expected);
    expect(m.files).toHaveLength(1);
    expect(m.files[0]).toMatchObject({ path: 'all/part-0000.parquet', rows: expected });
    expect(m.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await queryNumber(duck, `SELECT count(*) FROM read_parquet(${parquet(report, 'all')})`)).toBe(expected);
    // Rows come in key order (battery_id, ts): no row is smaller than the one before it.
    const disorder = await queryNumber(
      duck,
      `SELECT count(*) FROM (SELECT battery_id, ts, lag(battery_id) OVER w AS pb, lag(ts) OVER w AS pt FROM read_parquet(${parquet(report, 'all')}, file_row_number = true) WINDOW w AS (ORDER BY file_row_number)) WHERE pb IS NOT NULL AND (battery_id, ts) < (pb, pt)`,
    );
    expect(disorder).toBe(0);
    // The same rows as the view, value for value.
    expect(
      await queryNumber(
        duck,
        `SELECT count(*) FROM (SELECT battery_id, ts, voltage_v, temperature_c FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ EXCEPT ALL SELECT * FROM read_parquet(${parquet(report, 'all')}))`,
        [from, to],
      ),
    ).toBe(0);
    expect(Date.parse(m.sources.tierSplit.telemetry ?? '')).toBe(Date.parse(fx.split));
    expect(m.sources.lakeFiles.map((f) => f.key)).toEqual([
      'telemetry/date=2024-05-01/part-0.parquet',
      'telemetry/date=2024-05-02/part-0.parquet',
    ]);
    expect(m.sources.hotMirror.telemetry).toBeDefined();
    expect(m.sql.splits.all).toContain('ORDER BY');
    const onDisk = JSON.parse(await readFile(join(report.dir, 'manifest.json'), 'utf8')) as SliceManifest;
    expect(onDisk.contentHash).toBe(m.contentHash);
    expect(m.contentHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('filters by site through the fleet master data', async () => {
    const { from, to } = range();
    const report = await runSlice({ dataset: 'telemetry', from, to, filter: { location_id: [1, 3] } }, join(outRoot, 'sites'));
    const jars = await queryRows(duck, `SELECT DISTINCT battery_id FROM read_parquet(${parquet(report, 'all')}) ORDER BY 1`);
    const expected = [1, 2, 3, 4, 5, 6, 13, 14, 15, 16, 17, 18];
    expect(jars.map((r) => Number(r.battery_id))).toEqual(expected);
    expect(report.manifest.rows).toBe(
      await queryNumber(
        duck,
        `SELECT count(*) FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ AND battery_id IN (${expected.join(',')})`,
        [from, to],
      ),
    );
  });

  it('splits by battery: every jar in exactly one split, seeded and stable', async () => {
    const { from, to } = range();
    const spec = {
      dataset: 'telemetry',
      from,
      to,
      split: { by: 'battery', fractions: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 7 },
    };
    const report = await runSlice(spec, join(outRoot, 'by-battery'));
    const sets = await Promise.all(
      ['train', 'validation', 'test'].map(async (s) =>
        (await queryRows(duck, `SELECT DISTINCT battery_id AS b FROM read_parquet(${parquet(report, s)})`)).map((r) => Number(r.b)),
      ),
    );
    const all = sets.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_v, i) => i + 1));
    // Cumulative cuts: ranks [0, round(0.7 x 18)), [13, round(0.8 x 18)), [14, 18).
    expect(sets.map((s) => s.length)).toEqual([13, 1, 4]);
    for (const [i, info] of report.manifest.splits.entries()) expect(info.entities).toEqual([...sets[i]].sort((a, b) => a - b));
    expect(report.manifest.splits.reduce((a, s) => a + s.rows, 0)).toBe(
      await queryNumber(duck, `SELECT count(*) FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ`, [from, to]),
    );
    // Same seed, same jars; another seed, another draw.
    const again = await call<SliceEstimate>('slice.estimate', { spec });
    expect(again.splits.map((s) => s.rows)).toEqual(report.manifest.splits.map((s) => s.rows));
    const other = await runSlice({ ...spec, split: { ...spec.split, seed: 8 } }, join(outRoot, 'by-battery-8'));
    expect(other.manifest.splits.map((s) => s.entities)).not.toEqual(report.manifest.splits.map((s) => s.entities));
  });

  it('splits by time at boundaries in order, buckets never straddle a cut', async () => {
    const { from, to } = range();
    const report = await runSlice(
      { dataset: 'telemetry', from, to, resample: '6h', split: { by: 'time', fractions: { train: 0.75, test: 0.25 } } },
      join(outRoot, 'by-time'),
    );
    const [train, test] = report.manifest.splits;
    expect(train.from).toBe(from);
    expect(train.to).toBe(test.from);
    expect(test.to).toBe(to);
    // The cut sits on a 6-hour bucket start.
    expect(new Date(train.to ?? '').getUTCHours() % 6).toBe(0);
    const edges = await queryRows(
      duck,
      `SELECT (SELECT max(ts) FROM read_parquet(${parquet(report, 'train')})) < (SELECT min(ts) FROM read_parquet(${parquet(report, 'test')})) AS ordered, ` +
        `(SELECT max(ts) + INTERVAL 6 HOUR FROM read_parquet(${parquet(report, 'train')})) <= $1::TIMESTAMPTZ AS before_cut`,
      [train.to ?? ''],
    );
    expect(edges[0]).toEqual({ ordered: true, before_cut: true });
    // Resampled per jar and bucket: mean/min/max match the view.
    const check = await queryRows(
      duck,
      `SELECT count(*) AS bad FROM read_parquet(${parquet(report, 'train')}) r JOIN (
         SELECT battery_id, time_bucket(INTERVAL 6 HOUR, ts, 'UTC') AS b, avg(voltage_v) AS m, min(voltage_v) AS lo, max(voltage_v) AS hi, count(*) AS n
         FROM telemetry WHERE ts >= $1::TIMESTAMPTZ AND ts < $2::TIMESTAMPTZ GROUP BY ALL) v ON v.battery_id = r.battery_id AND v.b = r.ts
       WHERE v.m <> r.voltage_v_mean OR v.lo <> r.voltage_v_min OR v.hi <> r.voltage_v_max OR v.n <> r.samples`,
      [from, train.to ?? ''],
    );
    expect(Number(check[0].bad)).toBe(0);
  });

  it('joins labels point in time: never a label from the future', async () => {
    const { from, to } = range();
    const report = await runSlice(
      { dataset: 'telemetry', from, to, columns: ['voltage_v'], labels: { from: 'rul_prediction', asOf: true, columns: ['rul_days'] } },
      join(outRoot, 'labels'),
    );
    const f = parquet(report, 'all');
    expect(report.manifest.schema.map((c) => c.name)).toEqual(['battery_id', 'ts', 'voltage_v', 'label_predicted_at', 'label_rul_days']);
    expect(await queryNumber(duck, `SELECT count(*) FROM read_parquet(${f}) WHERE label_predicted_at > ts`)).toBe(0);
    // Each row has the latest label known at its time, computed independently.
    expect(
      await queryNumber(
        duck,
        `SELECT count(*) FROM read_parquet(${f}) r WHERE r.label_rul_days IS DISTINCT FROM (
           SELECT arg_max(p.rul_days, p.predicted_at) FROM rul_prediction p WHERE p.battery_id = r.battery_id AND p.predicted_at <= r.ts)`,
      ),
    ).toBe(0);
    // Jar 1's label changes at noon on day 1: 11:00 still sees day 0's prediction, 12:00 the new one.
    const jar1 = await queryRows(
      duck,
      `SELECT strftime(ts, '%d %H') AS t, label_rul_days AS rul FROM read_parquet(${f}) WHERE battery_id = 1 AND ts IN ('2024-05-02 11:00:00+00', '2024-05-02 12:00:00+00', '2024-05-01 06:00:00+00') ORDER BY ts`,
    );
    expect(jar1).toEqual([
      { t: '01 06', rul: null },
      { t: '02 11', rul: 999 },
      { t: '02 12', rul: 989 },
    ]);
  });

  it('re-exporting from the manifest gives the same rows and contentHash', async () => {
    const { from, to } = range();
    const first = await runSlice(
      {
        dataset: 'telemetry',
        from,
        to,
        resample: '1h',
        labels: { from: 'rul_prediction' },
        split: { by: 'battery', fractions: { train: 0.5, test: 0.5 }, seed: 3 },
      },
      join(outRoot, 'repro-1'),
    );
    const manifestText = await readFile(first.manifestPath, 'utf8');
    const validation = await call<SliceValidation>('slice.validate', { spec: JSON.parse(manifestText) });
    expect(validation.ok).toBe(true);
    if (!validation.ok) return;
    const second = await runSlice(validation.spec, join(outRoot, 'repro-2'));
    expect(second.manifest.contentHash).toBe(first.manifest.contentHash);
    expect(second.manifest.files.map((f) => [f.path, f.rows])).toEqual(first.manifest.files.map((f) => [f.path, f.rows]));
    // A different slice hashes differently.
    const third = await runSlice({ ...validation.spec, to: new Date(Date.parse(to) - 3_600_000).toISOString() }, join(outRoot, 'repro-3'));
    expect(third.manifest.contentHash).not.toBe(first.manifest.contentHash);
  });

  it('refuses a bad spec with a message naming the field', async () => {
    const { from, to } = range();
    const bad = async (spec: unknown): Promise<string> => {
      const res = await wb.dispatch('slice.run', { spec }, { transport: 'test' });
      expect(res.ok).toBe(false);
      if (res.ok) return '';
      expect(res.error.code).toBe('INVALID_REQUEST');
      return res.error.message;
    };
    expect(await bad({ dataset: 'telemetry', from, to, columns: ['battery_id', 'volts'] })).toMatch(
      /spec\.columns\.1 unknown column "volts"/,
    );
    expect(await bad({ dataset: 'telemetry', from: to, to: from })).toMatch(/spec\.to must be after from/);
    expect(await bad({ dataset: 'telemetry', from, to, split: { by: 'time', fractions: { train: 0.8, test: 0.3 } } })).toMatch(
      /spec\.split\.fractions must add up to 1/,
    );
    const v = await call<SliceValidation>('slice.validate', {
      spec: { dataset: 'telemetry', from, to, columns: ['volts'], filter: { colour: ['red'] } },
    });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.issues.map((i) => i.field)).toEqual(['columns[0]', 'filter.colour']);
  });

  it('never writes into a folder that holds files, and leaves no temp behind', async () => {
    const { from, to } = range();
    const taken = join(outRoot, 'taken');
    await runSlice({ dataset: 'telemetry', from, to }, taken);
    const res = await wb.dispatch('slice.run', { spec: { dataset: 'telemetry', from, to }, path: taken }, { transport: 'test' });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('CONFLICT');
    expect((await readdir(outRoot)).filter((n) => n.startsWith('.bw-tmp-'))).toEqual([]);
  });
});

describe('result export', () => {
  it('writes a whole result as CSV, Parquet and JSON into the exports folder', async () => {
    const run = await call<{ resultId: string; rowCount: number }>('query.run', {
      sql: 'SELECT range AS n, 9223372036854775807::BIGINT AS big, range % 3 AS k FROM range(25000)',
      runId: 'exp-1',
    });
    expect(run.rowCount).toBe(25000);
    for (const format of ['csv', 'parquet', 'json'] as const) {
      const { jobId } = await call<{ jobId: string }>('export.result', {
        resultId: run.resultId,
        format,
        sort: [{ column: 'n', direction: 'desc' }],
      });
      const summary = (await wb.jobs.wait(jobId)) as JobSummary;
      expect(summary.error).toBeNull();
      const file = summary.report as { path: string; rows: number; downloadId: string | null };
      expect(file.rows).toBe(25000);
      expect(file.path.startsWith(join(dir, 'exports'))).toBe(true);
      expect(file.downloadId).toMatch(new RegExp(`^result-.*\\.${format}$`));
      const reader = format === 'csv' ? 'read_csv' : format === 'parquet' ? 'read_parquet' : 'read_json';
      const rows = await queryRows(duck, `SELECT count(*) AS c, max(n) AS mx, min(big) AS big FROM ${reader}(${quoteLiteral(file.path)})`);
      expect(rows[0]).toEqual({ c: '25000', mx: '24999', big: '9223372036854775807' });
      const firstRow = await queryRows(duck, `SELECT n FROM ${reader}(${quoteLiteral(file.path)}) LIMIT 1`);
      expect(Number(firstRow[0].n)).toBe(24999);
    }
  });

  it('exports one SELECT to a chosen file and never replaces it', async () => {
    const target = join(outRoot, 'fleet.csv');
    const { jobId } = await call<{ jobId: string }>('export.query', {
      sql: 'SELECT battery_id, serial_no FROM battery ORDER BY 1;',
      format: 'csv',
      path: target,
    });
    const summary = (await wb.jobs.wait(jobId)) as JobSummary;
    expect(summary.error).toBeNull();
    const text = await readFile(target, 'utf8');
    expect(text.split('\n')[0]).toBe('battery_id,serial_no');
    expect(text.trim().split('\n')).toHaveLength(19);
    expect((summary.report as { downloadId: string | null }).downloadId).toBeNull();
    const again = await wb.dispatch('export.query', { sql: 'SELECT 1', format: 'csv', path: target }, { transport: 'test' });
    expect(again.ok ? null : again.error.code).toBe('CONFLICT');
    const two = await wb.dispatch('export.query', { sql: 'SELECT 1; SELECT 2', format: 'csv' }, { transport: 'test' });
    expect(two.ok ? null : two.error.code).toBe('BAD_INPUT');
  });
});
