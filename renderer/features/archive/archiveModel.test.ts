import { describe, expect, it } from 'vitest';
import type { ArchiveReport, BatchReport } from '../../../shared/api/archive';
import {
  batchCounts,
  batchesPlanned,
  cutoffOf,
  dayRange,
  newestFirst,
  orderedDatasets,
  parseDays,
  planTotals,
  runOfJob,
  runOutcome,
  shortChecksum,
  timingsText,
} from './archiveModel';

function batch(over: Partial<BatchReport>): BatchReport {
  return {
    batchId: 'b',
    dataset: 'telemetry',
    day: '2025-03-01',
    state: 'done',
    rows: 10,
    parquetBytes: 100,
    checksum: '1',
    sha256: null,
    file: null,
    timingsMs: {},
    error: null,
    ...over,
  };
}

function run(over: Partial<ArchiveReport>): ArchiveReport {
  return {
    runId: 'r',
    dryRun: false,
    cutoff: '2025-03-05T00:00:00.000Z',
    host: 'h',
    user: 'u',
    startedAt: '2025-03-08T02:15:04.000Z',
    endedAt: '2025-03-08T02:16:00.000Z',
    rowsArchived: 0,
    batches: [],
    plan: [],
    vacuum: [],
    reclaimedBytes: { reusable: 0, returnedToOs: 0 },
    masterSnapshot: [],
    error: null,
    ...over,
  };
}

describe('archive view model', () => {
  it('parses the cut-off days and says what is wrong', () => {
    expect(parseDays(' 7 ')).toEqual({ days: 7, problem: null });
    expect(parseDays('0').problem).toMatch(/at least 1 day/);
    expect(parseDays('').problem).toMatch(/number of days/);
    expect(parseDays('2.5').problem).toMatch(/not a whole number/);
    expect(parseDays('-3').problem).toMatch(/not a whole number/);
    expect(parseDays('40000').problem).toMatch(/36,500/);
  });

  it('computes the cut-off as the start of the UTC day N days ago', () => {
    expect(cutoffOf(new Date('2025-03-08T23:59:00Z'), 3)).toBe('2025-03-05T00:00:00.000Z');
    expect(cutoffOf(new Date('2025-03-01T00:00:00Z'), 1)).toBe('2025-02-28T00:00:00.000Z');
  });

  it('keeps datasets in the contract order', () => {
    expect(orderedDatasets(['maintenance_event', 'telemetry'])).toEqual(['telemetry', 'maintenance_event']);
  });

  it('shows day ranges', () => {
    expect(dayRange([])).toBe('none');
    expect(dayRange(['2025-03-02'])).toBe('2025-03-02');
    expect(dayRange(['2025-03-04', '2025-03-01', '2025-03-02'])).toBe('2025-03-01 … 2025-03-04');
  });

  it('sums a plan', () => {
    const totals = planTotals([
      { dataset: 'telemetry', rows: 1000, partitions: ['2025-03-01', '2025-03-02'], postgresBytes: 5000, estimatedParquetBytes: 300 },
      { dataset: 'alert', rows: 3, partitions: ['2025-03-01'], postgresBytes: 80, estimatedParquetBytes: 20 },
    ]);
    expect(totals).toEqual({ rows: 1003, batches: 3, postgresBytes: 5080, estimatedParquetBytes: 320 });
  });

  it('counts batches by outcome', () => {
    const c = batchCounts([
      batch({}),
      batch({ state: 'failed', parquetBytes: 0 }),
      batch({ state: 'published', parquetBytes: 7 }),
      batch({ state: 'withdrawn', parquetBytes: 50 }),
    ]);
    expect(c).toEqual({ done: 1, failed: 1, withdrawn: 1, unfinished: 1, parquetBytes: 107 });
    const plan = [
      {
        dataset: 'telemetry' as const,
        rows: 30,
        partitions: ['2025-03-01', '2025-03-02', '2025-03-03'],
        postgresBytes: 0,
        estimatedParquetBytes: 0,
      },
    ];
    expect(batchesPlanned({ batches: [batch({})], plan })).toBe(3);
    expect(batchesPlanned({ batches: [batch({}), batch({}), batch({}), batch({})], plan })).toBe(4);
    // A withdrawn day was exported again: it counts once.
    expect(batchesPlanned({ batches: [batch({ state: 'withdrawn' }), batch({}), batch({}), batch({})], plan })).toBe(3);
  });

  it('lists step timings in the order the steps run', () => {
    expect(timingsText({ delete: 5, export: 1234, verify: 40, zz: 1 })).toBe('export 1.23 s · verify 40 ms · delete 5 ms · zz 1 ms');
    expect(shortChecksum('g1:0123456789abcdef0123456789abcdef')).toBe('g1:0123456789ab…');
    expect(shortChecksum('123456789')).toBe('123456789');
    expect(shortChecksum(null)).toBe('—');
  });

  it('names the outcome of a run', () => {
    expect(runOutcome(run({ dryRun: true }))).toBe('dry run');
    expect(runOutcome(run({ endedAt: null }))).toBe('running');
    expect(runOutcome(run({ error: 'boom' }))).toBe('failed');
    expect(runOutcome(run({ error: 'The archive run was cancelled after 2 of 8 batches; every finished batch is complete.' }))).toBe(
      'cancelled',
    );
    expect(runOutcome(run({ batches: [batch({})] }))).toBe('done');
    expect(runOutcome(run({ batches: [batch({}), batch({ state: 'verified' })] }))).toBe('incomplete');
  });

  it('finds the journal run of a job and orders history newest first', () => {
    const older = run({ runId: 'old', startedAt: '2025-03-08T01:00:00.000Z' });
    const dry = run({ runId: 'dry', dryRun: true, startedAt: '2025-03-08T02:00:01.000Z' });
    const mine = run({ runId: 'mine', startedAt: '2025-03-08T02:00:02.000Z' });
    const later = run({ runId: 'later', startedAt: '2025-03-08T03:00:00.000Z' });
    const runs = [later, mine, dry, older];
    expect(runOfJob(runs, { startedAt: '2025-03-08T02:00:00.000Z', dryRun: false })?.runId).toBe('mine');
    expect(runOfJob(runs, { startedAt: '2025-03-08T02:00:00.000Z', dryRun: true })?.runId).toBe('dry');
    expect(runOfJob(runs, { startedAt: null, dryRun: false })).toBeNull();
    expect(newestFirst([older, later, mine]).map((r) => r.runId)).toEqual(['later', 'mine', 'old']);
  });
});
