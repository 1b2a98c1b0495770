import type { ExportFormat, ExportedFile } from '../../../shared/api/export';
import { api } from '../../api/client';
import { addTab } from '../sql/tabsStore';
import { runExportJob } from '../export/runExportJob';

/** "Open as SQL": the panel's query in a new editor tab, and the SQL view in front. */
export function openAsSql(title: string, sql: string): void {
  addTab(`-- ${title.replace(/[\r\n]+/g, ' ')} (from the dashboard)\n${sql}\n`);
  window.location.hash = '#/sql';
}

/** "Export data": the panel's full-resolution query as a file (an export job); in a browser, downloaded too. */
export function exportPanelData(
  sql: string,
  format: ExportFormat,
  name: string,
): Promise<{ ok: true; file: ExportedFile } | { ok: false; message: string }> {
  return runExportJob(() => api.export.query({ sql, format, name }));
}

/** Save a PNG data URL as a file. */
export function downloadPng(dataUrl: string, name: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = `${name}.png`;
  a.click();
}
