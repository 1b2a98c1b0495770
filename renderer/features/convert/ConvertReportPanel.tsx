import { useEffect, useRef } from 'react';
import { ERROR_CODES, isApiError } from '../../../shared/api/errors';
import { formatBytes, formatCount, formatDuration, formatUtc } from '../../../shared/format';
import { hrefFor } from '../../app/router';
import { formatRatio, ratioOf } from '../compression/units';
import { inspectRest } from '../inspector/inspectRoute';
import { QualityWarningsTable } from './QualityWarningsTable';
import { RejectsTable } from './RejectsTable';
import { describeTarget, type ShownReport } from './reportShape';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Stat } from '../../lib/ui/Stat';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import type { ConvertReport } from '../../../shared/api/convert';

interface Props {
  shown: ShownReport;
  onClose?: () => void;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const FILE_COLUMNS: Column<ConvertReport['files'][number]>[] = [
  { header: 'File', cell: (f) => baseName(f.input), title: (f) => f.input },
  { header: 'Rows in', className: 'num', cell: (f) => formatCount(f.rowsIn) },
  { header: 'Written', className: 'num', cell: (f) => formatCount(f.rowsWritten) },
  { header: 'Rejected', className: 'num', cell: (f) => formatCount(f.rejected) },
  { header: 'CSV', className: 'num', cell: (f) => formatBytes(f.inputBytes) },
  { header: 'Parquet', className: 'num', cell: (f) => formatBytes(f.outputBytes) },
  { header: 'Ratio', className: 'num', cell: (f) => formatRatio(ratioOf(f.inputBytes, f.outputBytes)) },
  { header: 'Outputs', className: 'num', cell: (f) => formatCount(f.outputs.length), title: (f) => f.outputs.join('\n') },
];

/** A conversion's final report: the totals, each file, and the bad rows; or why it failed. */
export function ConvertReportPanel({ shown, onClose }: Props) {
  const { report, error, startedAt } = shown;
  const box = useRef<HTMLElement | null>(null);
  // A report scrolls into view when it appears (below the form); the caller keys the panel per report.
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, []);
  const failed = error !== null;
  const cancelled = error?.code === 'CANCELLED';
  const advice = error && isApiError(error) ? ERROR_CODES[error.code] : null;
  const inspectHref =
    report.target.kind === 'lake'
      ? hrefFor('inspect', inspectRest({ dataset: report.target.dataset }))
      : hrefFor('inspect', inspectRest({ path: report.target.path }));
  return (
    <Card
      ref={box}
      tone={failed && !cancelled ? 'failed' : null}
      testId="convert-report"
      label="Conversion report"
      title={cancelled ? 'Conversion cancelled' : failed ? 'Conversion failed' : 'Conversion report'}
      sub={
        <>
          {startedAt ? `${formatUtc(startedAt)} · ` : ''}
          {report.codec} → {describeTarget(report.target)}
        </>
      }
      actions={
        <>
          {!failed && (
            <a className="btn small" href={inspectHref}>
              Inspect output
            </a>
          )}
          {onClose && (
            <button type="button" className="icon-btn" aria-label="Close the report" onClick={onClose}>
              ×
            </button>
          )}
        </>
      }
    >
      {error && (
        <ErrorBox
          error={error}
          warning={cancelled}
          testId="convert-error"
          advice={advice && <div className="error-advice">{advice}</div>}
        />
      )}
      {!failed && (
        <div className="lake-stats">
          <Stat label="Rows in" value={formatCount(report.rowsIn)} testId="report-rows-in" />
          <Stat label="Rows written" value={formatCount(report.rows)} testId="report-rows" />
          <Stat label="Rows rejected" value={formatCount(report.rejected)} testId="report-rejected" />
          <Stat label="CSV" value={formatBytes(report.inputBytes)} />
          <Stat label="Parquet" value={formatBytes(report.outputBytes)} />
          <Stat label="Ratio" value={formatRatio(report.ratio)} testId="report-ratio" />
          <Stat label="Time" value={formatDuration(report.elapsedMs)} />
        </div>
      )}
      {report.files.length > 0 && <DataTable columns={FILE_COLUMNS} rows={report.files} rowKey={(f) => f.input} />}
      <QualityWarningsTable warnings={report.warnings ?? []} failed={failed} />
      <RejectsTable rejects={report.rejects} total={report.rejected} />
    </Card>
  );
}
