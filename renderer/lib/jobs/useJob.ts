import { useCallback, useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { JobProgress, JobSummary } from '../../../shared/api/jobs';
import { api, transport } from '../../api/client';

/** A job as a view follows it: the latest progress, then its report (typed `R`) or error once it ended. */
export type JobView<R = unknown> = Omit<JobSummary<R>, 'startedAt' | 'endedAt'> & { startedAt: string | null; endedAt: string | null };

const POLL_MS = 1500;

function fromProgress(p: JobProgress, prev: JobView | null): JobView {
  return {
    ...p,
    startedAt: prev?.startedAt ?? null,
    endedAt: prev?.endedAt ?? null,
    report: prev?.report ?? null,
    error: prev?.error ?? null,
  };
}

/**
 * Follows one job by id: 'job.progress' events for the live figures, and jobs.list for the start
 * time and the final report or error (also the fallback when events are missed, e.g. while the
 * socket reconnects). `jobId` lives with the caller, so a view can keep it across remounts.
 * `missing` says the core does not know the id (it restarted, or forgot a long-finished job).
 * `cancel` answers with the core's error, if any (e.g. the job had already ended).
 */
export function useJob<R = unknown>(
  jobId: string | null,
): { job: JobView<R> | null; missing: boolean; cancel: () => Promise<ApiError | null> } {
  const [tagged, setTagged] = useState<{ jobId: string; job: JobView } | null>(null);
  const [missingId, setMissingId] = useState<string | null>(null);
  const job = tagged && tagged.jobId === jobId ? tagged.job : null;
  const missing = jobId !== null && missingId === jobId && job === null;

  useEffect(() => {
    if (jobId === null) return;
    let live = true;
    let ended = false;
    const refresh = async (): Promise<void> => {
      const res = await api.jobs.list({});
      if (!live || !res.ok) return;
      const found = res.value.jobs.find((j) => j.jobId === jobId);
      if (!found) {
        // Unknown to the core: it restarted, or the job ended long ago and was forgotten.
        setMissingId(jobId);
        ended = true;
        return;
      }
      if (found.state !== 'running') ended = true;
      setTagged((prev) => {
        const before = prev && prev.jobId === jobId ? prev.job : null;
        // A poll answer older than an event already seen must not move the figures backwards.
        if (found.state === 'running' && before && before.state === 'running' && before.rows > found.rows) {
          return { jobId, job: { ...before, startedAt: found.startedAt } };
        }
        return { jobId, job: found };
      });
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

  const cancel = useCallback(async (): Promise<ApiError | null> => {
    if (jobId === null) return null;
    const res = await api.jobs.cancel({ jobId });
    return res.ok ? null : res.error;
  }, [jobId]);

  // The core sends the report the job's method promised (see JobHandle in shared/api/jobs.ts).
  return { job: job as JobView<R> | null, missing, cancel };
}
