import type { ApiError } from '../../../shared/api/errors';
import type { JobView } from '../jobs/useJob';
import { ErrorBox } from './ErrorBox';

interface Props {
  job: JobView<unknown> | null;
  /** The job in words, e.g. "Compaction": "Compaction failed: …". */
  what: string;
  /** Why the job could not start. */
  startError: ApiError | null;
  /** The job ended with its result (then there is nothing to say here). */
  hasResult: boolean;
}

/** Why a job did not start, or how it ended without a result (failed, cancelled). */
export function JobOutcome({ job, what, startError, hasResult }: Props) {
  return (
    <>
      {startError && <ErrorBox variant="inline" error={startError} alert={false} />}
      {job && job.state !== 'running' && !hasResult && (
        <ErrorBox variant="inline" error={{ message: job.error?.message ?? job.message }} prefix={`${what} ${job.state}: `} />
      )}
    </>
  );
}
