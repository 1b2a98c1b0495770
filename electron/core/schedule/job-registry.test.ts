import { describe, expect, it } from 'vitest';
import { archiveRuns } from './job-registry';

describe('the scheduled archival honours each dataset hot window', () => {
  it('without a hot window, one run over the job window', () => {
    expect(archiveRuns(7, undefined, [{ dataset: 'telemetry', hotDays: null }])).toEqual([{ olderThanDays: 7 }]);
    expect(archiveRuns(7, ['alert'], [])).toEqual([{ olderThanDays: 7, datasets: ['alert'] }]);
  });

  it('groups the datasets by window, shortest first; the others keep the job window', () => {
    const runs = archiveRuns(7, undefined, [
      { dataset: 'telemetry', hotDays: 3 },
      { dataset: 'string_telemetry', hotDays: 3 },
      { dataset: 'alert', hotDays: 30 },
      { dataset: 'calc_telemetry', hotDays: null },
    ]);
    expect(runs).toEqual([
      { olderThanDays: 3, datasets: ['telemetry', 'string_telemetry'] },
      { olderThanDays: 7, datasets: ['environmental_telemetry', 'maintenance_event'] },
      { olderThanDays: 30, datasets: ['alert'] },
    ]);
    // A job limited to some datasets archives only those.
    expect(archiveRuns(7, ['alert', 'maintenance_event'], [{ dataset: 'alert', hotDays: 30 }])).toEqual([
      { olderThanDays: 7, datasets: ['maintenance_event'] },
      { olderThanDays: 30, datasets: ['alert'] },
    ]);
  });
});
