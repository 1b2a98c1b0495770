import type { ArchiveApi } from '../../../shared/api/contract';
import type { ArchiveJob } from '../archive/archive-job';
import type { ArchiveJournal } from '../archive/state';
import type { JobRunner } from '../jobs/runner';

export interface ArchiveServiceDeps {
  jobs: JobRunner;
  journal: ArchiveJournal;
  /** Runs (or dry-runs) the archival inside a job. */
  archive: ArchiveJob;
}

/** archive.*: one run at a time in this process (and one per PostgreSQL, by advisory lock). */
export function createArchiveService(deps: ArchiveServiceDeps): ArchiveApi {
  return {
    start: async (req) => {
      const { jobId } = deps.jobs.start(req.dryRun ? 'archive-dry-run' : 'archive', (ctx) => deps.archive.run(req, ctx), {
        exclusive: true,
        phase: req.dryRun ? 'plan' : 'archive',
      });
      return { jobId };
    },
    history: async (req) => ({ runs: await deps.journal.runs(req.limit) }),
  };
}
