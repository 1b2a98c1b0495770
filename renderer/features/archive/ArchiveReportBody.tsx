import type { ArchiveReport } from '../../../shared/api/archive';
import { formatBytes, formatCount, formatDuration, formatUtc } from '../../../shared/format';
import { ArchivePlan } from './ArchivePlan';
import {
  batchCounts,
  batchesPlanned,
  DATASET_LABELS,
  isCancellation,
  runDurationMs,
  shortChecksum,
  timingsText,
  totalMs,
} from './archiveModel';
import { Stat } from '../../lib/ui/Stat';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  report: ArchiveReport;
}

const VACUUM_COLUMNS: Column<ArchiveReport['vacuum'][number]>[] = [
  { header: 'Table', className: 'mono', cell: (v) => v.table },
  { header: 'Size before', className: 'num', cell: (v) => formatBytes(v.bytesBefore) },
  { header: 'Size after', className: 'num', cell: (v) => formatBytes(v.bytesAfter) },
  { header: 'Returned to the OS', className: 'num', cell: (v) => formatBytes(Math.max(0, v.bytesBefore - v.bytesAfter)) },
  { header: 'Time', className: 'num', cell: (v) => formatDuration(v.elapsedMs) },
];

/**
 * One archive run's report (a live one or one from the history): what moved, every batch with its
 * checksum, state and step timings, the VACUUM figures, and the master snapshot next to the cold data.
 * A dry run shows its plan. Every value is rendered as text.
 */
export function ArchiveReportBody({ report }: Props) {
  const counts = batchCounts(report.batches);
  const took = runDurationMs(report);
  const facts = (
    <div className="lake-facts">
      <span>
        cut-off <b className="mono">{formatUtc(report.cutoff)}</b>
      </span>
      <span>
        run <span className="mono">{report.runId}</span>
      </span>
      <span>
        {report.user}@{report.host}
      </span>
      <span>started {formatUtc(report.startedAt)}</span>
      {took !== null && <span>took {formatDuration(took)}</span>}
    </div>
  );

  if (report.dryRun) {
    return (
      <div className="lake-section">
        {facts}
        <ArchivePlan plan={report.plan} />
      </div>
    );
  }

  return (
    <div className="lake-section archive-report-body">
      {facts}
      {report.error &&
        (isCancellation(report.error) ? (
          <div className="lake-warning">{report.error}</div>
        ) : (
          <ErrorBox error={{ code: 'FAILED', message: report.error }} />
        ))}
      <div className="lake-stats">
        <Stat label="Rows archived" value={formatCount(report.rowsArchived)} testId="report-rows-archived" />
        <Stat
          label={`Batches done${counts.failed ? `, ${counts.failed} failed` : ''}`}
          value={`${formatCount(counts.done)} of ${formatCount(batchesPlanned(report))}`}
          testId="report-batches"
        />
        <Stat label="Parquet written" value={formatBytes(counts.parquetBytes)} />
        <Stat label="PostgreSQL freed for reuse" value={formatBytes(report.reclaimedBytes.reusable)} testId="report-reusable" />
        <Stat label="Returned to the OS" value={formatBytes(report.reclaimedBytes.returnedToOs)} />
      </div>
      {counts.unfinished > 0 && (
        <div className="lake-warning">
          {formatCount(counts.unfinished)} batch(es) stopped between steps. Nothing is lost: the next run finishes them first.
        </div>
      )}
      {counts.withdrawn > 0 && (
        <div className="lake-warning" data-testid="report-withdrawn">
          {formatCount(counts.withdrawn)} day(s) changed in PostgreSQL after their export: the file was withdrawn before any row was
          deleted, and the day was exported again from what PostgreSQL holds now.
        </div>
      )}

      <div className="lake-section-title">Batches: one UTC day of one dataset each</div>
      {report.batches.length === 0 ? (
        <div className="dim">{report.error ? 'No batch finished before the run stopped.' : 'No rows were old enough to archive.'}</div>
      ) : (
        <div className="lake-table-wrap tall">
          <table className="lake-table" data-testid="archive-batches">
            <thead>
              <tr>
                <th>Dataset</th>
                <th>Day</th>
                <th className="num">Rows</th>
                <th className="num">Parquet</th>
                <th>Checksum</th>
                <th>State</th>
                <th className="num">Time</th>
                <th>Steps</th>
              </tr>
            </thead>
            <tbody>
              {report.batches.map((b) => (
                <tr key={b.batchId} data-testid="archive-batch" data-state={b.state}>
                  <td className="archive-nowrap" title={b.file ?? undefined}>
                    {DATASET_LABELS[b.dataset] ?? b.dataset}
                  </td>
                  <td className="mono archive-nowrap">{b.day}</td>
                  <td className="num">{formatCount(b.rows)}</td>
                  <td className="num">{formatBytes(b.parquetBytes)}</td>
                  <td
                    className="mono archive-nowrap"
                    title={[b.checksum, b.sha256 ? `file sha256 ${b.sha256}` : ''].filter(Boolean).join('\n') || undefined}
                  >
                    {shortChecksum(b.checksum)}
                  </td>
                  <td>
                    <span className={`archive-state ${b.state}`}>{b.state}</span>
                    {b.error && <div className="danger archive-batch-error">{b.error}</div>}
                  </td>
                  <td className="num">{formatDuration(totalMs(b.timingsMs))}</td>
                  <td className="dim archive-steps">
                    {timingsText(b.timingsMs)}
                    {b.deletedBy ? ` · ${b.deletedBy === 'partition' ? "day's partition truncated" : 'rows deleted one by one'}` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {report.vacuum.length > 0 && (
        <>
          <div className="lake-section-title">VACUUM (ANALYZE) in PostgreSQL</div>
          <DataTable columns={VACUUM_COLUMNS} rows={report.vacuum} rowKey={(v) => v.table} testId="archive-vacuum" />
          <div className="hint archive-note">
            Plain VACUUM keeps the freed pages for new rows (freed for reuse); only pages at the end of a table go back to the OS.
          </div>
        </>
      )}

      {report.masterSnapshot.length > 0 && (
        <>
          <div className="lake-section-title">Master data snapshot (keeps the cold data interpretable)</div>
          <ul className="archive-keys" data-testid="archive-master">
            {report.masterSnapshot.map((k) => (
              <li key={k} className="mono">
                {k}
              </li>
            ))}
          </ul>
        </>
      )}

      {report.plan.length > 0 && (
        <details className="lake-details">
          <summary>The plan of this run</summary>
          <ArchivePlan plan={report.plan} />
        </details>
      )}
    </div>
  );
}
