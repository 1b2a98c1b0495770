import { useEffect, useRef, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { JobProgress as JobEvent, JobSummary } from '../../../shared/api/jobs';
import { formatCount } from '../../../shared/format';
import { api, transport } from '../../api/client';
import { JobProgress } from '../../lib/ui/JobProgress';

/** What each job kind is called in the top bar. */
const KIND_LABEL: Record<string, string> = {
  demo: 'Generating the demo fleet',
  sync: 'Syncing from PostgreSQL',
  convert: 'Converting CSV',
  archive: 'Archiving',
  'archive-dry-run': 'Planning an archive',
  compact: 'Compacting',
  rollups: 'Refreshing rollups',
  export: 'Exporting',
  slice: 'Exporting a training slice',
};

function label(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

function percent(j: JobEvent): string {
  return j.fraction === null ? '' : ` ${Math.round(j.fraction * 100)}%`;
}

/**
 * The top bar's activity: every running job (the first-start demo, syncs, conversions, archives...)
 * with its progress, and a list of recent jobs with Cancel. Follows 'job.progress'; jobs.list fills in
 * what happened before the page opened.
 */
export function ActivityIndicator() {
  const [jobs, setJobs] = useState<Map<string, JobEvent | JobSummary>>(new Map());
  const [open, setOpen] = useState(false);

  useEffect(() => {
    let live = true;
    void api.jobs.list({}).then((res) => {
      if (!live || !res.ok) return;
      setJobs((prev) => {
        const next = new Map(prev);
        for (const j of res.value.jobs.slice(0, 20).reverse()) if (!next.has(j.jobId)) next.set(j.jobId, j);
        return next;
      });
    });
    const off = subscribe(transport, 'job.progress', (p) => {
      setJobs((prev) => new Map(prev).set(p.jobId, { ...prev.get(p.jobId), ...p }));
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  // The list closes on a click elsewhere or Esc.
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const all = [...jobs.values()].reverse();
  const running = all.filter((j) => j.state === 'running');
  const first = running[0];
  return (
    <div className="activity" ref={root}>
      <button
        type="button"
        className={running.length > 0 ? 'activity-btn busy' : 'activity-btn'}
        data-testid="activity"
        aria-expanded={open}
        title="Jobs: running and recent"
        onClick={() => setOpen((v) => !v)}
      >
        {first ? (
          <>
            <span className="activity-spinner" aria-hidden="true" />
            {label(first.kind)}
            {percent(first)}
            {running.length > 1 ? ` (+${running.length - 1})` : ''}
          </>
        ) : (
          'No jobs running'
        )}
      </button>
      {open && (
        <div className="activity-list" role="dialog" aria-label="Jobs">
          {all.length === 0 && <div className="activity-empty">Nothing has run yet.</div>}
          {all.slice(0, 12).map((j) => (
            <div key={j.jobId} className={`activity-row state-${j.state}`}>
              <div className="activity-title">
                {label(j.kind)}
                {j.state === 'running' ? percent(j) : ` · ${j.state}`}
              </div>
              <div className="activity-detail">
                {j.message || j.phase}
                {j.rows > 0 ? ` · ${formatCount(j.rows)} rows` : ''}
              </div>
              {j.notes.map((note) => (
                <div key={note} className="activity-note" data-testid="job-note">
                  {note}
                </div>
              ))}
              {j.state === 'running' && (
                <>
                  <JobProgress fraction={j.fraction} label={`${label(j.kind)}: progress`} />
                  <button type="button" className="link-btn" onClick={() => void api.jobs.cancel({ jobId: j.jobId })}>
                    Cancel
                  </button>
                </>
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
