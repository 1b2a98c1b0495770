import { emptyConvertReport, type ConvertReport, type StoredConversion } from '../../../shared/api/convert';
import type { ApiError } from '../../../shared/api/errors';
import type { JobView } from '../../lib/jobs/useJob';

/** Where a conversion wrote to, in words: `lake dataset cells` or the folder path. */
export function describeTarget(target: ConvertReport['target']): string {
  return target.kind === 'lake' ? `lake dataset ${target.dataset}` : target.path;
}

/** A report the view shows: a job's, or one from the history. */
export interface ShownReport {
  report: ConvertReport;
  /** Set when the conversion failed. */
  error: Pick<ApiError, 'code' | 'message'> | null;
  /** When it ran (history), if known. */
  startedAt: string | null;
}

/**
 * What a finished job shows: its report, or its error with the bad rows it carried (on an empty
 * report for the target it was started for). Null while it runs.
 */
export function shownFromJob(
  job: JobView<ConvertReport>,
  codec: ConvertReport['codec'],
  target: ConvertReport['target'],
): ShownReport | null {
  if (job.state === 'running') return null;
  if (job.state === 'done') {
    const report = job.report;
    return report ? { report, error: null, startedAt: null } : null;
  }
  const report = emptyConvertReport(codec, target);
  const warned = job.error?.data?.warnings;
  if (warned) report.warnings = warned;
  const bad = job.error?.data?.rejects;
  if (bad) {
    report.rejects = bad.rows;
    report.rejected = bad.total;
  }
  const error = job.error ?? {
    code: job.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL',
    message: job.message || `The conversion ${job.state}.`,
  };
  return { report, error: { code: error.code, message: error.message }, startedAt: null };
}

/** A past conversion from the history, as the report panel shows it. */
export function shownFromHistory(entry: StoredConversion): ShownReport {
  return {
    report: entry,
    error: entry.error ? { code: entry.errorCode ?? 'INTERNAL', message: entry.error } : null,
    startedAt: entry.startedAt,
  };
}
