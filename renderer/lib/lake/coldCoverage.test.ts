import { describe, expect, it } from 'vitest';
import type { LakeDatasetCoverage, LakeStatus } from '../../../shared/api/storage';
import { coldCoverage, coldCoverageText, panelDatasets } from './coldCoverage';

function ds(dataset: string, daysCached: number, daysRemote: number, missingDays: string[] = []): LakeDatasetCoverage {
  return {
    dataset,
    daysRemote,
    daysCached,
    filesRemote: daysRemote,
    filesCached: daysCached,
    bytesRemote: daysRemote * 1000,
    bytesCached: daysCached * 1000,
    firstDay: '2024-01-01',
    lastDay: '2024-01-30',
    missingDays,
  };
}

function s3(datasets: LakeDatasetCoverage[], online: boolean | null = true): LakeStatus {
  return {
    kind: 's3',
    location: 's3://fleet/lake',
    online,
    lastContact: '2024-02-01T10:00:00.000Z',
    lastError: online === false ? 'connect ECONNREFUSED' : null,
    cache: { dir: '/ws/lake-cache', bytes: 0, maxBytes: null, pins: [] },
    datasets,
    complete: datasets.every((d) => d.daysCached === d.daysRemote),
  };
}

describe('the cold coverage note', () => {
  it('says nothing for a complete lake (a local folder always is), nor before the status is known', () => {
    const local: LakeStatus = { ...s3([ds('telemetry', 30, 30)]), kind: 'local', cache: null, lastContact: null };
    expect(coldCoverage(local)).toBeNull();
    expect(coldCoverage(s3([ds('telemetry', 30, 30)]))).toBeNull();
    expect(coldCoverage(null)).toBeNull();
  });

  it('one dataset: "cold: N of M days cached", the missing days and what to do in the detail', () => {
    const status = s3([ds('telemetry', 12, 30, ['2024-01-13', '2024-01-14']), ds('alert', 30, 30)]);
    const c = coldCoverage(status, ['telemetry']);
    expect(c && coldCoverageText(c)).toBe('cold: 12 of 30 days cached');
    expect(c?.detail).toContain('telemetry: 12 of 30 days cached; not cached: 2024-01-13, 2024-01-14, …');
    expect(c?.detail).toContain('The cold views read only the cached days');
    // A complete dataset of an incomplete lake: nothing to say about it.
    expect(coldCoverage(status, ['alert'])).toBeNull();
    // A dataset the lake does not hold (master data, hot only): nothing either.
    expect(coldCoverage(status, ['battery_jar'])).toBeNull();
  });

  it('the whole lake: the least covered dataset, named, and how many more lack days', () => {
    const status = s3([ds('telemetry', 20, 30), ds('alert', 3, 10), ds('rul_prediction', 9, 10), ds('string_telemetry', 5, 5)]);
    const c = coldCoverage(status);
    expect(c && coldCoverageText(c)).toBe('cold: 3 of 10 days cached (alert and 2 more)');
    expect(c?.detail.split('\n').slice(0, 3)).toEqual([
      'telemetry: 20 of 30 days cached',
      'alert: 3 of 10 days cached',
      'rul_prediction: 9 of 10 days cached',
    ]);
    const one = coldCoverage(s3([ds('telemetry', 20, 30), ds('alert', 10, 10)]));
    expect(one && coldCoverageText(one)).toBe('cold: 20 of 30 days cached (telemetry)');
  });

  it('offline: the detail says so with the last contact', () => {
    const c = coldCoverage(s3([ds('telemetry', 0, 4)], false));
    expect(c && coldCoverageText(c)).toBe('cold: 0 of 4 days cached (telemetry)');
    expect(c?.detail).toContain('The lake is offline (last contact 2024-02-01T10:00:00.000Z).');
  });

  it('a dashboard panel reads the lake datasets its source names; rollups and unknown sources mean the whole lake', () => {
    const lake = ['telemetry', 'string_telemetry', 'alert', 'rul_prediction'];
    expect(panelDatasets('telemetry (raw)', lake)).toEqual(['telemetry']);
    expect(panelDatasets('alert (open)', lake)).toEqual(['alert']);
    expect(panelDatasets('rul_prediction (latest per jar)', lake)).toEqual(['rul_prediction']);
    expect(panelDatasets('gold.jar_daily, rul_prediction', lake)).toBeUndefined();
    expect(panelDatasets('gold.string_hourly', lake)).toBeUndefined();
    expect(panelDatasets('battery_jar', lake)).toBeUndefined();
  });
});
