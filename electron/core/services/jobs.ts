import type { JobsApi } from '../../../shared/api/contract';
import type { JobRunner } from '../jobs/runner';

export function createJobsService(jobs: JobRunner): JobsApi {
  return {
    list: async () => ({ jobs: jobs.list() }),
    cancel: async (req) => ({ cancelled: jobs.cancel(req.jobId) }),
  };
}
