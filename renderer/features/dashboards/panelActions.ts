import type { ExportFormat, ExportedFile } from '../../../shared/api/export';
import { api } from '../../api/client';
import { addTab } from '../sql/tabsStore';
import { downloadExport } from '../export/download';
import { errorMessage } from '../../../shared/api/errors';

/** "Open as SQL": the panel's query in a new editor tab, and the SQL view in front. */
export function openAsSql(title: string, sql: string): void {
  addTab(`-- ${title.replace(/[\r\n]+/g, ' ')} (from the dashboard)\n${sql}\n`);
  window.location.hash = '#/sql';
}

/** "Export data": the panel's full-resolution query as a file (an export job); in a browser, downloaded too. */
export async function exportPanelData(
  sql: string,
  format: ExportFormat,
  name: string,
): Promise<{ ok: true; file: ExportedFile } | { ok: false; message: string }> {
  const started = await api.export.query({ sql, format, name });
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
    // export.query's job reports an ExportedFile (its JobHandle says so).
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

/** Save a PNG data URL as a file. */
export function downloadPng(dataUrl: string, name: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = `${name}.png`;
  a.click();
}
