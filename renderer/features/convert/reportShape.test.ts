import { describe, expect, it } from 'vitest';
import type { ConvertReport, StoredConversion } from '../../../shared/api/convert';
import type { JobView } from '../../lib/jobs/useJob';
import { emptyConvertReport as emptyReport } from '../../../shared/api/convert';
import { describeTarget, shownFromHistory, shownFromJob } from './reportShape';

const target = { kind: 'lake', dataset: 'cells' } as const;

function job(over: Partial<JobView<ConvertReport>>): JobView<ConvertReport> {
  return {
    jobId: 'j1',
    kind: 'convert',
    state: 'running',
    phase: 'write',
    fraction: null,
    rows: 0,
    bytes: 0,
    message: '',
    startedAt: null,
    endedAt: null,
    report: null,
    error: null,
    ...over,
  } as JobView<ConvertReport>;
}

describe('convert report shapes', () => {
  it('shows nothing while the job runs, the report when it is done', () => {
    expect(shownFromJob(job({}), 'zstd', target)).toBeNull();
    const report = { ...emptyReport('zstd', target), rows: 5 };
    expect(shownFromJob(job({ state: 'done', report }), 'zstd', target)).toEqual({ report, error: null, startedAt: null });
    expect(shownFromJob(job({ state: 'done' }), 'zstd', target)).toBeNull();
  });

  it('shows a failed job with the rejected rows it carried', () => {
    const rows = [{ file: 'a.csv', line: 3, column: 'v', error: 'not a number', value: 'x' }];
    const shown = shownFromJob(
      job({
        state: 'failed',
        error: { code: 'BAD_INPUT', message: '1 bad row', data: { rejects: { rows, total: 7 } } } as never,
      }),
      'gzip',
      { kind: 'folder', path: '/out' },
    );
    expect(shown?.error).toEqual({ code: 'BAD_INPUT', message: '1 bad row' });
    expect(shown?.report).toMatchObject({ codec: 'gzip', target: { kind: 'folder', path: '/out' }, rejected: 7, rejects: rows, rows: 0 });
  });

  it('names a cancelled or silent failure', () => {
    expect(shownFromJob(job({ state: 'cancelled' }), 'zstd', target)?.error).toEqual({
      code: 'CANCELLED',
      message: 'The conversion cancelled.',
    });
    expect(shownFromJob(job({ state: 'failed', message: 'disk full' }), 'zstd', target)?.error).toEqual({
      code: 'INTERNAL',
      message: 'disk full',
    });
  });

  it('shows a history entry with its time and its error', () => {
    const entry: StoredConversion = {
      ...emptyReport('zstd', target),
      id: 3,
      startedAt: '2024-05-01T10:00:00Z',
      error: null,
      errorCode: null,
    };
    expect(shownFromHistory(entry)).toEqual({ report: entry, error: null, startedAt: '2024-05-01T10:00:00Z' });
    expect(shownFromHistory({ ...entry, error: 'boom' }).error).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(shownFromHistory({ ...entry, error: 'gone', errorCode: 'NOT_FOUND' }).error).toEqual({ code: 'NOT_FOUND', message: 'gone' });
    expect(describeTarget(target)).toBe('lake dataset cells');
    expect(describeTarget({ kind: 'folder', path: '/out' })).toBe('/out');
  });
});
