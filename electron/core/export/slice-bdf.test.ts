import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { SliceReport, SliceValidation } from '../../../shared/api/slice';
import { BDF_COLUMNS } from '../../../shared/domain/slice-spec';
import { quoteLiteral } from '../../../shared/sql';
import { setSplitSql } from '../mirror/meta';
import { readParquetMeta } from '../testing/parquet-meta.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { BDF_CURRENT_SOURCE } from './slice-bdf';
import { seedSliceWorkspace, type SliceFixture } from './slice-workspace.fixture';

let dir: string;
let outRoot: string;
let wb: Workbench;
let fx: SliceFixture;

/** String 1's current at hour h after the tier split (string_telemetry is seeded in the hot tier only). */
const currentAt = (h: number): number => (h % 7) - 3;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-bdf-'));
  outRoot = await mkdtemp(join(tmpdir(), 'bw-bdf-out-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  fx = await seedSliceWorkspace(wb);
  const conn = await wb.engine.connect();
  try {
    const split = `CAST(${quoteLiteral(fx.split)} AS TIMESTAMPTZ)`;
    await conn.run(
      `INSERT INTO hot.string_telemetry (string_id, ts, voltage_v, current_a, ambient_c, ingest_id) ` +
        `SELECT 1, ${split} + to_hours(h), 81.0, CAST((h % 7) - 3 AS DECIMAL(7,2)), 21.5, h + 1 FROM range(0, 48) r(h)`,
    );
    await conn.run(setSplitSql('string_telemetry', fx.split));
  } finally {
    conn.closeSync();
  }
});

afterAll(async () => {
  await wb?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
});

async function call<T>(channel: string, request: unknown): Promise<T> {
  const res = await wb.dispatch(channel, request, { transport: 'test' });
  if (!res.ok) throw new Error(res.error.message);
  return res.value as T;
}

async function runSlice(spec: unknown, path: string): Promise<SliceReport> {
  const { jobId } = await call<{ jobId: string }>('slice.run', { spec, path });
  const summary = (await wb.jobs.wait(jobId)) as JobSummary;
  expect(summary.error).toBeNull();
  return summary.report as SliceReport;
}

async function rowsOf(file: string): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
}

const ALL_COLUMNS = [
  BDF_COLUMNS.testTime,
  BDF_COLUMNS.voltage,
  BDF_COLUMNS.current,
  BDF_COLUMNS.unixTime,
  BDF_COLUMNS.surfaceTemperature,
  BDF_COLUMNS.ambientTemperature,
  BDF_COLUMNS.resistance,
];

describe('BDF export of a training slice', () => {
  it('writes one .bdf.parquet per jar with BDF columns, all DOUBLE, the current from the string, and the ids in the metadata', async () => {
    const report = await runSlice(
      { dataset: 'telemetry', from: fx.split, to: fx.end, filter: { string_id: [1] }, format: 'bdf' },
      join(outRoot, 'bdf'),
    );
    const names = (await readdir(join(report.dir, 'all'))).sort();
    expect(names).toEqual([1, 2, 3, 4, 5, 6].map((j) => `battery-${j}.bdf.parquet`));
    expect(report.manifest.files.map((f) => f.path)).toEqual([1, 2, 3, 4, 5, 6].map((j) => `all/battery-${j}.bdf.parquet`));
    expect(report.manifest.rows).toBe(6 * 48);
    expect(report.manifest.schema.map((c) => c.name)).toEqual(ALL_COLUMNS);

    const file = join(report.dir, 'all', 'battery-2.bdf.parquet');
    const meta = await readParquetMeta(file);
    // Read by hyparquet, not DuckDB: the names and the physical types (Unix Time is DOUBLE, never FLOAT).
    expect(meta.schema.children.map((c) => [c.element.name, c.element.type])).toEqual(ALL_COLUMNS.map((n) => [n, 'DOUBLE']));
    expect(meta.rows).toBe(48);
    expect(meta.kv).toMatchObject({
      'battery_workbench.format': 'bdf',
      'battery_workbench.battery_id': '2',
      'battery_workbench.string_id': '1',
      'battery_workbench.system_id': '1',
      'battery_workbench.location_id': '1',
      'battery_workbench.site_code': 'S1',
      'battery_workbench.model_id': '1',
      'battery_workbench.model': 'Acme A12',
      'battery_workbench.serial_no': 'SN2',
      'battery_workbench.current_source': BDF_CURRENT_SOURCE,
    });

    const rows = await rowsOf(file);
    const splitS = Date.parse(fx.split) / 1000;
    // The fixture's slot s counts hours from the start; the split is slot 48.
    for (const h of [0, 1, 5, 47]) {
      const r = rows[h];
      expect(r[BDF_COLUMNS.testTime]).toBe(h * 3600);
      expect(r[BDF_COLUMNS.unixTime]).toBe(splitS + h * 3600);
      expect(r[BDF_COLUMNS.current]).toBe(currentAt(h));
      expect(r[BDF_COLUMNS.voltage]).toBeCloseTo(13 + 2 / 100 + ((48 + h) % 10) / 1000, 9);
      expect(r[BDF_COLUMNS.surfaceTemperature]).toBeCloseTo(20 + ((48 + h) % 50) / 10, 9);
      expect(r[BDF_COLUMNS.ambientTemperature]).toBe(21.5);
      expect(r[BDF_COLUMNS.resistance]).toBeCloseTo(0.00302, 12);
    }
  });

  it('leaves out the optional columns the slice does not take, and keeps current empty where the string has no reading', async () => {
    const report = await runSlice(
      {
        dataset: 'telemetry',
        from: fx.start,
        to: fx.end,
        columns: ['battery_id', 'ts', 'voltage_v'],
        filter: { battery_id: [3, 9] },
        format: 'bdf',
        split: { by: 'battery', fractions: { train: 0.5, test: 0.5 } },
      },
      join(outRoot, 'bdf-split'),
    );
    expect(report.manifest.files.map((f) => f.path.split('/')[1]).sort()).toEqual(['battery-3.bdf.parquet', 'battery-9.bdf.parquet']);
    expect(new Set(report.manifest.files.map((f) => f.split))).toEqual(new Set(['train', 'test']));
    const jar3 = report.manifest.files.find((f) => f.path.endsWith('battery-3.bdf.parquet'));
    const meta = await readParquetMeta(join(report.dir, jar3?.path ?? ''));
    expect(meta.schema.children.map((c) => c.element.name)).toEqual([
      BDF_COLUMNS.testTime,
      BDF_COLUMNS.voltage,
      BDF_COLUMNS.current,
      BDF_COLUMNS.unixTime,
      BDF_COLUMNS.ambientTemperature,
    ]);
    const rows = await rowsOf(join(report.dir, jar3?.path ?? ''));
    expect(rows).toHaveLength(96);
    // Cold half: string_telemetry has no rows there. Hot half: the string's current.
    expect(rows[0][BDF_COLUMNS.current]).toBeNull();
    expect(rows[48][BDF_COLUMNS.current]).toBe(currentAt(0));
    expect(rows[95][BDF_COLUMNS.testTime]).toBe(95 * 3600);
    // Jar 9 is on string 2, which has no string readings at all.
    const jar9 = report.manifest.files.find((f) => f.path.endsWith('battery-9.bdf.parquet'));
    expect((await rowsOf(join(report.dir, jar9?.path ?? ''))).every((r) => r[BDF_COLUMNS.current] === null)).toBe(true);
    expect((await readParquetMeta(join(report.dir, jar9?.path ?? ''))).kv['battery_workbench.string_id']).toBe('2');
  });

  it('refuses a BDF spec it cannot write, naming the field', async () => {
    const check = (spec: unknown): Promise<SliceValidation> => call<SliceValidation>('slice.validate', { spec });
    const bad = await check({ dataset: 'string_telemetry', from: fx.start, to: fx.end, format: 'bdf' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues).toEqual([
      { field: 'format', message: 'bdf is written from telemetry (one file per jar), not string_telemetry' },
    ]);
    const noVoltage = await check({
      dataset: 'telemetry',
      from: fx.start,
      to: fx.end,
      format: 'bdf',
      columns: ['temperature_c'],
      resample: '1h',
    });
    expect(!noVoltage.ok && noVoltage.issues.map((i) => i.field).sort()).toEqual(['columns', 'resample']);
    const other = await check({ dataset: 'telemetry', from: fx.start, to: fx.end, format: 'csv' });
    expect(!other.ok && other.issues.map((i) => i.field)).toEqual(['format']);
  });
});
