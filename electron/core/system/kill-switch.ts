/**
 * The fault-injection hook of the crash tests, one documented environment variable:
 * `BW_KILL_AT=<job>:<step>` makes the process SIGKILL itself when `job` reaches `step`, e.g.
 * `archive:publish`, `compact:write`, `convert:publish`, `export:manifest`, `export:publish`. Steps are listed
 * where each job calls `killPoint` (and in the README's "Checking the lake"). Unset (always, outside tests), it costs one string comparison.
 */
export const KILL_AT_ENV = 'BW_KILL_AT';

export function killPoint(job: string, step: string): void {
  const at = process.env[KILL_AT_ENV];
  if (at !== undefined && at === `${job}:${step}`) process.kill(process.pid, 'SIGKILL');
}
