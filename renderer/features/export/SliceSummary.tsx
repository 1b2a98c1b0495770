import { useState } from 'react';
import type { SliceReport } from '../../../shared/api/slice';
import { formatBytes, formatCount } from '../../../shared/format';
import { writeClipboard } from '../../lib/clipboard';
import { isDesktop } from './download';
import { DownloadLink } from './DownloadLink';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  report: SliceReport;
  onCopySpec: () => void;
}

const FILE_COLUMNS: Column<SliceReport['manifest']['files'][number]>[] = [
  { header: 'File', className: 'mono', cell: (f) => f.path },
  { header: 'Rows', className: 'num', cell: (f) => formatCount(f.rows) },
  { header: 'Size', className: 'num', cell: (f) => formatBytes(f.bytes) },
  { header: 'sha256', className: 'mono dim', cell: (f) => `${f.sha256.slice(0, 12)}…`, title: (f) => f.sha256 },
];

/** The manifest of a finished slice: files with rows and checksums, the content hash, where it went. */
export function SliceSummary({ report, onCopySpec }: Props) {
  const m = report.manifest;
  const [folderOpen, setFolderOpen] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const mirror = m.sources.hotMirror[m.spec.dataset];
  const split = m.sources.tierSplit[m.spec.dataset];
  return (
    <div className="slice-summary" data-testid="slice-summary">
      <div className="big-figures">
        <div>
          <strong data-testid="summary-rows">{formatCount(m.rows)}</strong> rows
        </div>
        <div>
          <strong>{formatBytes(m.bytes)}</strong> in {m.files.length} file{m.files.length === 1 ? '' : 's'}
        </div>
        <div>
          <strong>{(report.elapsedMs / 1000).toFixed(1)} s</strong>
        </div>
      </div>
      <DataTable columns={FILE_COLUMNS} rows={m.files} rowKey={(f) => f.path} className="export-table" wrap={null} />
      <dl className="export-facts">
        <dt>contentHash</dt>
        <dd className="mono" data-testid="summary-hash" title={m.contentHashAlgorithm}>
          {m.contentHash}
        </dd>
        <dt>Tier split</dt>
        <dd>
          {split ? `${split.slice(0, 19).replace('T', ' ')} UTC (lake before, hot mirror from)` : 'none: all rows from the hot mirror'}
        </dd>
        <dt>Sources</dt>
        <dd>
          {m.sources.lakeFiles.length} lake file{m.sources.lakeFiles.length === 1 ? '' : 's'}; hot mirror{' '}
          {mirror
            ? `at ingest id ${formatCount(mirror.watermark)}, synced ${mirror.syncedAt ? mirror.syncedAt.slice(0, 19).replace('T', ' ') : 'never'}`
            : 'not read'}
        </dd>
        <dt>Folder</dt>
        <dd className="mono" data-testid="summary-dir">
          {report.dir}
        </dd>
      </dl>
      <div className="export-row">
        <button type="button" className="btn" onClick={onCopySpec}>
          Copy spec
        </button>
        <button
          type="button"
          className="btn"
          data-testid="open-folder"
          onClick={() => {
            // The desktop app opens the OS file manager; the browser shows the path (and the manifest download).
            const reveal = window.workbench?.revealPath;
            if (reveal) void reveal(report.dir).then((shown) => setFolderOpen(!shown));
            else setFolderOpen((v) => !v);
          }}
        >
          Open in folder
        </button>
        {copied && <span className="dim">{copied}</span>}
      </div>
      {folderOpen && (
        <div className="export-folder" data-testid="folder-panel">
          <div className="hint">
            {isDesktop()
              ? 'The slice is in this folder on this computer:'
              : 'The browser cannot open folders; the slice is in this folder on the machine running the workbench:'}
          </div>
          <div className="export-row">
            <code className="grow">{report.dir}</code>
            <button
              type="button"
              className="btn small"
              onClick={() =>
                void writeClipboard(report.dir).then((ok) => setCopied(ok ? 'Path copied.' : 'The clipboard refused the text.'))
              }
            >
              Copy path
            </button>
          </div>
          <DownloadLink downloadId={report.manifestDownloadId} fileName="manifest.json" testId="manifest-download">
            Download manifest.json
          </DownloadLink>
        </div>
      )}
    </div>
  );
}
