import { resolve } from 'node:path';
import { createClient } from '../../shared/api/client';
import { contract, type WorkbenchApi } from '../../shared/api/contract';
import type { ApiError, Result } from '../../shared/api/errors';
import type { DataPlatformConfig } from '../core/mirror/data-platform';
import { openWorkbench } from '../core/workbench';
import { defaultWorkspaceDir } from '../core/workspace/paths';
import { APP_VERSION } from '../core/app-version';
import { reportOf, type JobHandle, type JobSummary } from '../../shared/api/jobs';
import { CliError } from './cli-error';
import type { CliIo } from './command';
import { createProgressBar, followJob } from './progress-bar';

export type OpenedWorkbench = Awaited<ReturnType<typeof openWorkbench>>;

export interface CliWorkbench {
  workbench: OpenedWorkbench;
  /** The typed client over the same dispatcher every transport uses (transport 'cli'). */
  api: WorkbenchApi;
  close(): Promise<void>;
}

/** The one line (plus detail) the CLI prints for an error value. */
export function describeApiError(error: ApiError): string {
  return error.detail ? `${error.message}\n  ${error.detail.split('\n').join('\n  ')}` : error.message;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const detail = 'detail' in err && typeof err.detail === 'string' ? err.detail : undefined;
    return detail ? `${err.message}\n  ${detail}` : err.message;
  }
  return String(err);
}

/** `--pg-url` and `--lake` of one command: the stores for this run, over the workspace settings. */
export interface CliStoreFlags {
  pgUrl?: string | undefined;
  lake?: string | undefined;
}

/** Opens the workspace (`--workspace DIR` or the default one) for one CLI command. */
export async function openCliWorkbench(
  workspace: string | undefined,
  data?: DataPlatformConfig,
  flags: CliStoreFlags = {},
): Promise<CliWorkbench> {
  const workspaceDir = workspace ? resolve(workspace) : defaultWorkspaceDir();
  let workbench: OpenedWorkbench;
  try {
    workbench = await openWorkbench({
      workspaceDir,
      appVersion: APP_VERSION,
      entry: 'cli',
      pgUrl: flags.pgUrl ?? null,
      lakeFlag: flags.lake ?? null,
      ...(data ? { data: { start: 'lazy', ...data } } : {}),
    });
  } catch (err) {
    throw new CliError(`Could not open the workspace ${workspaceDir}: ${errorText(err)}`, 1, { cause: err });
  }
  const api = createClient(contract, {
    invoke: (channel, request) => workbench.dispatch(channel, request, { transport: 'cli' }),
    subscribe: (event, listener) =>
      workbench.events.on((name, payload) => {
        if (name === event) listener(payload);
      }),
  });
  let closed: Promise<void> | null = null;
  return { workbench, api, close: () => (closed ??= workbench.close()) };
}

/**
 * Waits for a job to end with a progress bar on stderr, then writes the job's notes there (one line each); Ctrl+C
 * cancels it. What a cancelled or failed end means is the command's to say.
 */
export async function waitWithProgress<R>(workbench: OpenedWorkbench, io: CliIo, job: JobHandle<R>, label: string): Promise<JobSummary<R>> {
  const { jobId } = job;
  const offInterrupt = io.onInterrupt(() => {
    workbench.jobs.cancel(jobId);
  });
  const bar = createProgressBar({ stream: io.stderr, isTTY: io.isTTY, columns: io.columns, label });
  void followJob(workbench.events, jobId, bar);
  let summary: JobSummary<R>;
  try {
    summary = await workbench.jobs.wait(job);
  } finally {
    offInterrupt();
    bar.done();
  }
  for (const note of summary.notes) io.stderr.write(`Note: ${note}\n`);
  return summary;
}

/** A job's report once it ends, its progress shown meanwhile; 130 when cancelled (after saying `cancelled`); CliError when it failed. */
export async function jobReport<R>(
  workbench: OpenedWorkbench,
  io: CliIo,
  handle: JobHandle<R>,
  label: string,
  cancelled: string,
): Promise<R | 130> {
  const summary = await waitWithProgress(workbench, io, handle, label);
  if (summary.state === 'cancelled') {
    io.stderr.write(`${cancelled}\n`);
    return 130;
  }
  if (summary.error) throw new CliError(`The ${label} did not finish: ${describeApiError(summary.error)}`);
  return reportOf(summary);
}

/** The value of an API result; its error as a CliError (exit 2 for a request the contract refused). */
export function valueOf<T>(res: Result<T>): T {
  if (!res.ok) throw new CliError(describeApiError(res.error), res.error.code === 'INVALID_REQUEST' ? 2 : 1);
  return res.value;
}
