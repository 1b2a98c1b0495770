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
import { Stat } from '../../lib/ui/Stat';

const MAX_ROWS_SHOWN = 500;

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
        <section className="lake-card">
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
        </section>
      )}

      {target && !current && <div className="empty">Reading the Parquet metadata…</div>}
      {current?.error && (
        <div className="convert-error" role="alert" data-testid="inspector-error">
          <span className="error-code">{current.error.code}</span> <span className="error-text">{current.error.message}</span>
          {current.error.detail && <div className="error-advice">{current.error.detail}</div>}
        </div>
      )}

      {ins && ins.files.length === 0 && <div className="empty">No Parquet files in {ins.target}.</div>}
      {ins && ins.files.length > 0 && (
        <>
          <section className="lake-card" aria-label="Summary">
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
          </section>

          <CompactPanel dataset={dataset} warnings={ins.warnings} onCompacted={onCompacted} />

          <section className="lake-card" aria-label="Schema">
            <div className="lake-card-head">
              <span className="lake-card-title">Schema</span>
              {ins.files.length > 1 && <span className="dim">of {ins.files[0].path}</span>}
            </div>
            <div className="lake-table-wrap">
              <table className="lake-table" data-testid="inspector-schema">
                <thead>
                  <tr>
                    <th className="num">#</th>
                    <th>Column</th>
                    <th>Type</th>
                    <th>Physical type</th>
                    <th>Repetition</th>
                  </tr>
                </thead>
                <tbody>
                  {ins.schema.map((c, i) => (
                    <tr key={`${c.name}:${i}`}>
                      <td className="num dim">{i + 1}</td>
                      <td className="mono">{c.name}</td>
                      <td className="mono">{c.type}</td>
                      <td className="mono dim">{c.physicalType ?? '–'}</td>
                      <td className="dim">{c.repetition ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          {ins.partitions && (
            <section className="lake-card" aria-label="Partitions">
              <div className="lake-card-head">
                <span className="lake-card-title">Partitions</span>
              </div>
              <PartitionCalendarView calendar={ins.partitions} />
            </section>
          )}

          <section className="lake-card" aria-label="Column statistics">
            <div className="lake-card-head">
              <span className="lake-card-title">Column statistics</span>
              <span className="dim">min and max over all row groups; nulls summed</span>
            </div>
            <ColumnStatsTable columns={ins.columns} variant="stats" testId="inspector-columns" />
          </section>

          <section className="lake-card" aria-label="Row groups">
            <div className="lake-card-head">
              <span className="lake-card-title">Row groups</span>
              <span className="dim">{formatCount(ins.rowGroups.length)}</span>
            </div>
            <div className="lake-table-wrap tall">
              <table className="lake-table" data-testid="inspector-row-groups">
                <thead>
                  <tr>
                    <th>File</th>
                    <th className="num">Row group</th>
                    <th className="num">Rows</th>
                    <th className="num">Compressed</th>
                    <th className="num">Uncompressed</th>
                    <th className="num">Ratio</th>
                  </tr>
                </thead>
                <tbody>
                  {ins.rowGroups.slice(0, MAX_ROWS_SHOWN).map((g) => (
                    <tr key={`${g.file}#${g.id}`}>
                      <td className="mono clip" title={g.file}>
                        {g.file}
                      </td>
                      <td className="num">{g.id}</td>
                      <td className="num">{formatCount(g.rows)}</td>
                      <td className="num">{formatBytes(g.compressedBytes)}</td>
                      <td className="num">{formatBytes(g.uncompressedBytes)}</td>
                      <td className="num">{formatRatio(ratioOf(g.uncompressedBytes, g.compressedBytes))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {ins.rowGroups.length > MAX_ROWS_SHOWN && <div className="hint">The first {formatCount(MAX_ROWS_SHOWN)} are listed.</div>}
          </section>

          <section className="lake-card" aria-label="Files">
            <div className="lake-card-head">
              <span className="lake-card-title">Files</span>
            </div>
            <ParquetFilesTable files={ins.files} limit={MAX_ROWS_SHOWN} testId="inspector-files" />
          </section>

          <section className="lake-card" aria-label="Key-value metadata">
            <div className="lake-card-head">
              <span className="lake-card-title">Key-value metadata</span>
            </div>
            <KeyValueTable rows={ins.keyValue} />
          </section>
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
