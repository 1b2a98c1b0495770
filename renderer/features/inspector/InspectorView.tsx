import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { ParquetInspection } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { hrefFor, useRoute } from '../../app/router';
import { ColumnStatsTable } from '../compression/ColumnStatsTable';
import { ParquetFilesTable } from '../compression/ParquetFilesTable';
import { formatRatio, ratioOf } from '../compression/units';
import { FilePickerDialog, type PickerMode } from '../../lib/FilePickerDialog';
import { CompactPanel } from './CompactPanel';
import { LakeCheckPanel } from './LakeCheckPanel';
import { inspectRest, parseInspectRest, targetLabel, type InspectTarget } from './inspectRoute';
import { KeyValueTable } from './KeyValueTable';
import { PartitionCalendarView } from './PartitionCalendarView';
import { Card } from '../../lib/ui/Card';
import { DataTable, type Column } from '../../lib/ui/DataTable';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Stat } from '../../lib/ui/Stat';

const MAX_ROWS_SHOWN = 500;

const SCHEMA_COLUMNS: Column<ParquetInspection['schema'][number]>[] = [
  { header: '#', className: 'num dim', cell: (_c, i) => i + 1 },
  { header: 'Column', className: 'mono', cell: (c) => c.name },
  { header: 'Type', className: 'mono', cell: (c) => c.type },
  { header: 'Physical type', className: 'mono dim', cell: (c) => c.physicalType ?? '–' },
  { header: 'Repetition', className: 'dim', cell: (c) => c.repetition ?? '–' },
];

const ROW_GROUP_COLUMNS: Column<ParquetInspection['rowGroups'][number]>[] = [
  { header: 'File', className: 'mono clip', cell: (g) => g.file, title: (g) => g.file },
  { header: 'Row group', className: 'num', cell: (g) => g.id },
  { header: 'Rows', className: 'num', cell: (g) => formatCount(g.rows) },
  { header: 'Compressed', className: 'num', cell: (g) => formatBytes(g.compressedBytes) },
  { header: 'Uncompressed', className: 'num', cell: (g) => formatBytes(g.uncompressedBytes) },
  { header: 'Ratio', className: 'num', cell: (g) => formatRatio(ratioOf(g.uncompressedBytes, g.compressedBytes)) },
];

function go(target: InspectTarget): void {
  window.location.hash = hrefFor('inspect', inspectRest(target));
}

/** #/inspect, #/inspect/<dataset>, #/inspect/path/<encoded path>: any Parquet file, folder or lake dataset, opened up. */
export function InspectorView() {
  const route = useRoute();
  const target = parseInspectRest(route.rest);
  const key = target ? JSON.stringify(target) : '';
  const [state, setState] = useState<{ key: string; inspection: ParquetInspection | null; error: ApiError | null } | null>(null);
  const [reload, setReload] = useState(0);
  const [picker, setPicker] = useState<PickerMode | null>(null);
  const [datasets, setDatasets] = useState<string[] | null>(null);

  useEffect(() => {
    if (!key) return;
    let live = true;
    const t = JSON.parse(key) as InspectTarget;
    void api.storage.inspect(t).then((res) => {
      if (!live) return;
      setState(res.ok ? { key, inspection: res.value, error: null } : { key, inspection: null, error: res.error });
    });
    return () => {
      live = false;
    };
  }, [key, reload]);

  useEffect(() => {
    let live = true;
    void api.storage.overview({}).then((res) => {
      if (live && res.ok) setDatasets(res.value.datasets.map((d) => d.dataset));
    });
    return () => {
      live = false;
    };
  }, []);

  const onCompacted = useCallback(() => setReload((n) => n + 1), [setReload]);
  const current = state && state.key === key ? state : null;
  const ins = current?.inspection ?? null;
  const dataset = target && 'dataset' in target ? target.dataset : null;

  return (
    <div className="lake-page" data-testid="inspector-view">
      <div className="lake-title-row">
        <h1 className="lake-h1">Parquet inspector</h1>
        {target && (
          <span className="mono dim clip" title={targetLabel(target)}>
            {targetLabel(target)}
          </span>
        )}
        <span className="spacer" />
        {datasets && datasets.length > 0 && (
          <select
            aria-label="Lake dataset"
            data-testid="inspector-dataset"
            value={dataset ?? ''}
            onChange={(e) => e.target.value && go({ dataset: e.target.value })}
          >
            <option value="">Lake dataset…</option>
            {datasets.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        )}
        <button type="button" className="btn" data-testid="inspector-open-file" onClick={() => setPicker('file')}>
          Open file…
        </button>
        <button type="button" className="btn" onClick={() => setPicker('folder')}>
          Open folder…
        </button>
        {target && (
          <button type="button" className="btn" onClick={() => setReload((n) => n + 1)}>
            Refresh
          </button>
        )}
      </div>

      <LakeCheckPanel dataset={dataset} />

      {!target && (
        <Card>
          <div className="empty">
            Open a .parquet file or a folder of them, or pick a lake dataset
            {datasets && datasets.length > 0 ? ':' : '.'}
          </div>
          {datasets && datasets.length > 0 && (
            <ul className="link-list">
              {datasets.map((d) => (
                <li key={d}>
                  <a href={hrefFor('inspect', inspectRest({ dataset: d }))}>{d}</a>
                </li>
              ))}
            </ul>
          )}
        </Card>
      )}

      {target && !current && <div className="empty">Reading the Parquet metadata…</div>}
      {current?.error && <ErrorBox error={current.error} testId="inspector-error" />}

      {ins && ins.files.length === 0 && <div className="empty">No Parquet files in {ins.target}.</div>}
      {ins && ins.files.length > 0 && (
        <>
          <Card label="Summary">
            <div className="lake-stats">
              <Stat label="files" value={formatCount(ins.files.length)} />
              <Stat label="rows" value={formatCount(ins.rows)} valueTestId="inspector-rows" />
              <Stat label="on disk" value={formatBytes(ins.bytes)} />
              <Stat label="row groups" value={formatCount(ins.rowGroups.length)} />
              <Stat label="columns" value={formatCount(ins.schema.length)} />
              {ins.files[0].createdBy && (
                <Stat label="written by" value={ins.files[0].createdBy} valueClassName="small mono clip" title={ins.files[0].createdBy} />
              )}
            </div>
          </Card>

          <CompactPanel dataset={dataset} warnings={ins.warnings} onCompacted={onCompacted} />

          <Card label="Schema" title="Schema" sub={ins.files.length > 1 ? `of ${ins.files[0].path}` : undefined}>
            <DataTable columns={SCHEMA_COLUMNS} rows={ins.schema} rowKey={(c, i) => `${c.name}:${i}`} testId="inspector-schema" />
          </Card>

          {ins.partitions && (
            <Card label="Partitions" title="Partitions">
              <PartitionCalendarView calendar={ins.partitions} />
            </Card>
          )}

          <Card label="Column statistics" title="Column statistics" sub="min and max over all row groups; nulls summed">
            <ColumnStatsTable columns={ins.columns} variant="stats" testId="inspector-columns" />
          </Card>

          <Card label="Row groups" title="Row groups" sub={formatCount(ins.rowGroups.length)}>
            <DataTable
              columns={ROW_GROUP_COLUMNS}
              rows={ins.rowGroups.slice(0, MAX_ROWS_SHOWN)}
              rowKey={(g) => `${g.file}#${g.id}`}
              testId="inspector-row-groups"
              wrap="lake-table-wrap tall"
            />
            {ins.rowGroups.length > MAX_ROWS_SHOWN && <div className="hint">The first {formatCount(MAX_ROWS_SHOWN)} are listed.</div>}
          </Card>

          <Card label="Files" title="Files">
            <ParquetFilesTable files={ins.files} limit={MAX_ROWS_SHOWN} testId="inspector-files" />
          </Card>

          <Card label="Key-value metadata" title="Key-value metadata">
            <KeyValueTable rows={ins.keyValue} />
          </Card>
        </>
      )}

      {picker && (
        <FilePickerDialog
          mode={picker}
          title={picker === 'file' ? 'Open a Parquet file' : 'Open a folder of Parquet files'}
          extensions={['.parquet']}
          onClose={() => setPicker(null)}
          onChoose={(paths) => {
            setPicker(null);
            if (paths[0]) go({ path: paths[0] });
          }}
        />
      )}
    </div>
  );
}
