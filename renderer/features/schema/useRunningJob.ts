import { useEffect, useState } from 'react';
import { subscribe } from '../../../shared/api/client';
import type { JobProgress } from '../../../shared/api/jobs';
import { transport } from '../../api/client';

/** The latest progress of a running job of one of `kinds` (e.g. a sync started at startup), null when none runs. */
export function useRunningJob(kinds: readonly string[]): JobProgress | null {
  const [job, setJob] = useState<JobProgress | null>(null);
  const key = kinds.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    return subscribe(transport, 'job.progress', (p) => {
      if (!wanted.has(p.kind)) return;
      setJob((prev) => {
        if (p.state === 'running') return p;
        return prev && prev.jobId !== p.jobId ? prev : null;
      });
    });
  }, [key]);
  return job;
}
