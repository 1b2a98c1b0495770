import { expect, type APIRequestContext, type PlaywrightWorkerArgs } from '@playwright/test';
import { decodeEnvelope } from '../../shared/api/envelope';
import type { JobSummary } from '../../shared/api/jobs';
import { startWebHostProcess, type RunningWebHost } from './web-host-process';

/** Calls one contract method on the web host with its token; throws with the error's message when it fails. */
export async function callHost<T>(host: RunningWebHost, request: APIRequestContext, channel: string, body: unknown): Promise<T> {
  const res = await request.post(`${host.origin}/api/${channel}`, { data: body, headers: { authorization: `Bearer ${host.token}` } });
  const result = decodeEnvelope(new Uint8Array(await res.body())) as { ok: boolean; value?: T; error?: { message: string } };
  if (!result.ok) throw new Error(`${channel} failed: ${result.error?.message ?? 'unknown error'}`);
  return result.value as T;
}

/** The first start of a web host seeds a small demo as a job; wait for it to end. */
export async function waitForDemo(host: RunningWebHost, request: APIRequestContext): Promise<void> {
  await expect
    .poll(
      async () => {
        const { jobs } = await callHost<{ jobs: JobSummary[] }>(host, request, 'jobs.list', {});
        const demo = jobs.find((j) => j.kind === 'demo');
        if (demo?.state === 'failed') throw new Error(`The demo failed: ${demo.error?.message ?? ''}`);
        return demo?.state ?? 'not started';
      },
      { timeout: 180_000, intervals: [1000] },
    )
    .toBe('done');
}

/**
 * A web host of a spec's own, once its demo has landed: for specs that change the demo's data (archival, retention),
 * which must not share the worker's host with the specs that read it.
 */
export async function startDemoHost(
  playwright: PlaywrightWorkerArgs['playwright'],
  options: { workspace?: string } = {},
): Promise<RunningWebHost> {
  const host = await startWebHostProcess(options);
  const request = await playwright.request.newContext();
  try {
    await waitForDemo(host, request);
  } finally {
    await request.dispose();
  }
  return host;
}
