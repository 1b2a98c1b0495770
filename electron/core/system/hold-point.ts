import { WorkbenchError } from '../../../shared/api/errors';
import { exists } from '../files/atomic';

/**
 * The pause hook of the tests that must see a job mid-way (e.g. the dashboards while the rollups build), two
 * documented environment variables: `BW_HOLD_AT=<job>:<step>` and `BW_HOLD_FILE=<path>` make `job` wait at
 * `step` for as long as that file exists (the test removes it to let the job go on). Steps: `rollups:refresh`
 * (before a refresh reads anything), `demo:cold-day-<n>` (once the n-th cold day has landed with its rollups). Unset (always, outside tests), it costs one string comparison.
 */
export const HOLD_AT_ENV = 'BW_HOLD_AT';
export const HOLD_FILE_ENV = 'BW_HOLD_FILE';

const POLL_MS = 50;

export async function holdPoint(job: string, step: string, signal: AbortSignal): Promise<void> {
  const at = process.env[HOLD_AT_ENV];
  const file = process.env[HOLD_FILE_ENV];
  if (at === undefined || at !== `${job}:${step}` || !file) return;
  while (await exists(file)) {
    if (signal.aborted) throw new WorkbenchError('CANCELLED', `The ${job} job was cancelled.`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
