import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../shared/api/jobs';
import type { SliceReport } from '../../../shared/api/slice';
import { readParquetMeta } from '../testing/parquet-meta.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { seedSliceWorkspace, type SliceFixture } from './slice-workspace.fixture';

let dir: string;
let outRoot: string;
let wb: Workbench;
let fx: SliceFixture;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-slice-meta-'));
  outRoot = await mkdtemp(join(tmpdir(), 'bw-slice-meta-out-'));
  wb = await openWorkbench({ workspaceDir: dir, entry: 'test' });
  fx = await seedSliceWorkspace(wb);
});

afterAll(async () => {
  await wb?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(outRoot, { recursive: true, force: true });
});

async function runSlice(spec: unknown, path: string): Promise<SliceReport> {
  const res = await wb.dispatch('slice.run', { spec, path }, { transport: 'test' });
  if (!res.ok) throw new Error(res.error.message);
  const summary = (await wb.jobs.wait((res.value as { jobId: string }).jobId)) as JobSummary;
  expect(summary.error).toBeNull();
  return summary.report as SliceReport;
}

describe('slice files carry the data dictionary', () => {
  it('writes each column’s quantity, unit and description as Parquet key-value metadata', async () => {
    const report = await runSlice(
      { dataset: 'telemetry', from: fx.start, to: fx.end, columns: ['battery_id', 'ts', 'voltage_v', 'resistance_mohm'] },
      join(outRoot, 'plain'),
    );
    const { kv } = await readParquetMeta(join(report.dir, 'all', 'part-0000.parquet'));
    expect(kv['battery_workbench.dataset']).toBe('telemetry');
    const meaning = (c: string): Record<string, unknown> => JSON.parse(kv[`battery_workbench.column.${c}`]) as Record<string, unknown>;
    expect(meaning('voltage_v')).toMatchObject({ quantity: 'voltage', unit: 'V' });
    expect(meaning('resistance_mohm')).toMatchObject({ quantity: 'resistance', unit: 'mOhm' });
    expect(meaning('ts')).toMatchObject({ quantity: 'time', unit: 'UTC' });
    expect(meaning('battery_id')).toMatchObject({ quantity: 'identifier', unit: null });
    expect(kv['battery_workbench.column.temperature_c']).toBeUndefined();
  });

  it('describes resampled and label columns by the column they come from', async () => {
    const report = await runSlice(
      {
        dataset: 'telemetry',
        from: fx.start,
        to: fx.end,
        columns: ['battery_id', 'ts', 'temperature_c'],
        resample: '1d',
        labels: { from: 'rul_prediction', columns: ['rul_days'] },
        split: { by: 'battery', fractions: { train: 0.5, test: 0.5 } },
      },
      join(outRoot, 'resampled'),
    );
    for (const split of ['train', 'test']) {
      const { kv } = await readParquetMeta(join(report.dir, split, 'part-0000.parquet'));
      expect(JSON.parse(kv['battery_workbench.column.temperature_c_max'])).toMatchObject({ quantity: 'temperature', unit: 'degC' });
      expect(JSON.parse(kv['battery_workbench.column.label_rul_days'])).toMatchObject({ quantity: 'duration', unit: 'days' });
      expect(JSON.parse(kv['battery_workbench.column.samples'])).toMatchObject({ quantity: 'count' });
    }
  });
});
