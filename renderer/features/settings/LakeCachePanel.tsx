import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { LakeDatasetCoverage, LakePullReport, LakeStatus } from '../../../shared/api/storage';
import { formatBytes, formatCount, formatUtc } from '../../../shared/format';
import { api } from '../../api/client';
import { useJob } from '../../lib/jobs/useJob';
import { refreshLakeStatus, useLakeStatus } from '../../lib/lake/lakeStatusStore';
import { useSessionState } from '../../lib/state/sessionState';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { JobOutcome } from '../../lib/ui/JobOutcome';
import { JobProgress } from '../../lib/ui/JobProgress';
import { formatAgo } from '../schema/relativeTime';

const MISSING_SHOWN = 5;

const COLUMNS: Column<LakeDatasetCoverage>[] = [
  { header: 'Dataset', className: 'mono', cell: (d) => d.dataset },
  { header: 'Days cached', className: 'num', cell: (d) => `${formatCount(d.daysCached)} of ${formatCount(d.daysRemote)}` },
  { header: 'Bytes cached', className: 'num', cell: (d) => `${formatBytes(d.bytesCached)} of ${formatBytes(d.bytesRemote)}` },
  {
    header: 'Not cached',
    className: 'dim',
    cell: (d) =>
      d.missingDays.length === 0
        ? '–'
        : `${d.missingDays.slice(0, MISSING_SHOWN).join(', ')}${d.daysRemote - d.daysCached > MISSING_SHOWN ? ', …' : ''}`,
  },
];

/** "online", "OFFLINE" or "not contacted yet", and when the lake last answered. */
function ContactLine({ status, now }: { status: LakeStatus; now: number }) {
  const ago = formatAgo(status.lastContact, now);
  const state = status.online === null ? 'unknown' : status.online ? 'online' : 'offline';
  return (
    <div className="lake-contact" data-testid="lake-contact" data-state={state}>
      <span className={`lake-badge ${state}`} data-testid="lake-online">
        {state === 'unknown' ? 'not contacted yet' : state}
      </span>
      <span className="dim">
        last contact{' '}
        {status.lastContact ? (
          <time dateTime={status.lastContact} title={status.lastContact}>
            {formatUtc(status.lastContact)}
            {ago ? ` (${ago})` : ''}
          </time>
        ) : (
          'never'
        )}
      </span>
      {status.online === false && status.lastError && <span className="bad-text">{status.lastError}</span>}
    </div>
  );
}

/**
 * An S3 lake's local cache: online or offline with the last contact, the cache's size against its cap, the days
 * cached against the days in the lake per dataset, and Pull now (storage.pullLake, a job with files and bytes).
 * Nothing for a local folder lake: every day of it is on disk.
 */
export function LakeCachePanel() {
  const { status, error, now } = useLakeStatus();
  const [jobId, setJobId] = useSessionState<string | null>('lake.pullJob', null);
  const { job, cancel } = useJob<LakePullReport>(jobId);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const running = job?.state === 'running';
  const result = job?.state === 'done' ? job.report : null;
  const endedId = job && job.state !== 'running' ? job.jobId : null;

  // A pull that fetched nothing changes no view; read the status again when it ends.
  useEffect(() => {
    if (endedId !== null) void refreshLakeStatus();
  }, [endedId]);

  if (!status || status.kind !== 's3') return error ? <ErrorBox variant="inline" showCode error={error} /> : null;

  const pull = async (): Promise<void> => {
    setStartError(null);
    const res = await api.storage.pullLake({});
    if (res.ok) setJobId(res.value.jobId);
    else setStartError(res.error);
  };

  return (
    <div className="lake-cache" data-testid="lake-cache">
      <ContactLine status={status} now={now} />
      {status.cache && (
        <div className="dim" data-testid="lake-cache-size">
          cache {formatBytes(status.cache.bytes)}
          {status.cache.maxBytes !== null ? ` of ${formatBytes(status.cache.maxBytes)} cap` : ', no cap'}
          {status.cache.pins.length > 0 && ` · ${formatCount(status.cache.pins.length)} pinned working set(s)`}
          <span className="mono"> · {status.cache.dir}</span>
        </div>
      )}
      <div className={status.complete ? 'dim' : 'cold-coverage'} data-testid="lake-cache-complete">
        {status.complete ? 'Every day of the lake is cached.' : 'Some days are not cached: the cold views read only the cached days.'}
      </div>
      {status.datasets.length > 0 && <DataTable columns={COLUMNS} rows={status.datasets} rowKey={(d) => d.dataset} />}
      <div className="lake-cache-actions">
        <button type="button" className="btn" data-testid="lake-pull" disabled={running} onClick={() => void pull()}>
          {running ? 'Pulling…' : 'Pull now'}
        </button>
        {running && (
          <button type="button" className="btn" onClick={() => void cancel()}>
            Cancel
          </button>
        )}
      </div>
      {running && job && (
        <JobProgress fraction={job.fraction} label="Pull progress" testId="lake-pull-progress">
          {job.message} · {formatBytes(job.bytes)}
        </JobProgress>
      )}
      <JobOutcome job={job} what="Pull" startError={startError} hasResult={result !== null} />
      {result && (
        <div className="dim" data-testid="lake-pull-result">
          Pulled {formatCount(result.fetched)} file(s), {formatBytes(result.fetchedBytes)}; {formatCount(result.alreadyCached)} already
          cached{result.evicted > 0 ? `, ${formatCount(result.evicted)} evicted` : ''}.
        </div>
      )}
    </div>
  );
}
