import { errorMessage, type Result } from '../../../shared/api/errors';
import type { ExportedFile } from '../../../shared/api/export';
import { api } from '../../api/client';
import { downloadExport } from './download';

/**
 * Starts an export job (export.query, export.chart, ...), waits for its end and, in a browser, downloads the file.
 * Resolves to the file, or to the message that says what failed.
 */
export async function runExportJob(
  start: () => Promise<Result<{ jobId: string }>>,
): Promise<{ ok: true; file: ExportedFile } | { ok: false; message: string }> {
  const started = await start();
  if (!started.ok) return { ok: false, message: started.error.message };
  const jobId = started.value.jobId;
  for (;;) {
    await new Promise((r) => setTimeout(r, 400));
    const list = await api.jobs.list({});
    if (!list.ok) return { ok: false, message: list.error.message };
    const job = list.value.jobs.find((j) => j.jobId === jobId);
    if (!job) return { ok: false, message: 'The export job disappeared before it finished.' };
    if (job.state === 'running') continue;
    if (job.state !== 'done' || job.report === null) return { ok: false, message: job.error?.message ?? `The export ended ${job.state}.` };
    // Export jobs report an ExportedFile (their JobHandle says so).
    const file = job.report as ExportedFile;
    if (file.downloadId && !window.workbench) {
      try {
        await downloadExport(file.downloadId);
      } catch (err) {
        return { ok: false, message: `${errorMessage(err)} The file was written to ${file.path}.` };
      }
    }
    return { ok: true, file };
  }
}
