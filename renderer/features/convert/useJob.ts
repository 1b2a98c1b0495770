import { useCallback, useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { JobProgress, JobSummary } from '../../../shared/api/jobs';
import { api, transport } from '../../api/client';

/** A job as a view follows it: the latest progress, then its report or error once it ended. */
export type JobView = Omit<JobSummary, 'startedAt' | 'endedAt'> & { startedAt: string | null; endedAt: string | null };

const POLL_MS = 1500;

function fromProgress(p: JobProgress, prev: JobView | null): JobView {
  return { ...p, startedAt: prev?.startedAt ?? null, endedAt: prev?.endedAt ?? null, report: prev?.report ?? null, error: prev?.error ?? null };
}

/**
 * Follows one job by id: 'job.progress' events for the live figures, and jobs.list for the
 * final report or error (also a fallback if events are missed, e.g. while the socket reconnects).
 * `jobId` lives with the caller, so a view can keep it across remounts.
 */
export function useJob(jobId: string | null): { job: JobView | null; cancel: () => Promise<void> } {
  const [tagged, setTagged] = useState<{ jobId: string; job: JobView } | null>(null);
  const job = tagged && tagged.jobId === jobId ? tagged.job : null;

  useEffect(() => {
    if (jobId === null) return;
    let live = true;
    let ended = false;
    const refresh = async (): Promise<void> => {
      const res = await api.jobs.list({});
      if (!live || !res.ok) return;
      const found = res.value.jobs.find((j) => j.jobId === jobId);
      if (!found) return;
      if (found.state !== 'running') ended = true;
      setTagged({ jobId, job: found });
    };
    const off = subscribe(transport, 'job.progress', (p) => {
      if (!live || p.jobId !== jobId) return;
      if (p.state !== 'running') {
        void refresh();
        return;
      }
      setTagged((prev) => {
        const before = prev && prev.jobId === jobId ? prev.job : null;
        return before && before.state !== 'running' ? prev : { jobId, job: fromProgress(p, before) };
      });
    });
    void refresh();
    const timer = setInterval(() => {
      if (!ended) void refresh();
    }, POLL_MS);
    return () => {
      live = false;
      off();
      clearInterval(timer);
    };
  }, [jobId]);

  const cancel = useCallback(async () => {
    if (jobId !== null) await api.jobs.cancel({ jobId });
  }, [jobId]);

  return { job, cancel };
}
