import { useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { DataStatus, DataSyncResult, DatasetStatus } from '../../../shared/api/data';
import { formatBytes, formatCount, formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { insertIntoEditor } from '../../app/editorBridge';
import { refreshDataStatus, useDataStatus } from './dataStatusStore';
import { backgroundSyncText } from './backgroundSyncText';
import { displayIdent } from './identifiers';
import { formatAgo } from './relativeTime';
import { useRunningJob } from './useRunningJob';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { ColdCoverageNote } from '../../lib/lake/ColdCoverageNote';
import { instantText } from '../../lib/ui/wallClock';

interface Props {
  /** The schema browser's filter text (lower-case, trimmed). */
  filter: string;
}

const SYNC_KINDS = ['sync', 'demo'] as const;

/**
 * "Battery data" on top of the schema browser: each dataset's unified view (click inserts its name),
 * its hot mirror (rows, "synced 3 min ago", last error) and cold lake (files, size); Sync now; the
 * hot store's state. Everything from data.status, rendered as text.
 */
export function BatteryDataSection({ filter }: Props) {
  const { status, error, now } = useDataStatus();
  const [open, setOpen] = useState(true);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [syncing, setSyncing] = useState(false);
  const [syncError, setSyncError] = useState<ApiError | null>(null);
  const [lastSync, setLastSync] = useState<DataSyncResult | null>(null);
  const job = useRunningJob(SYNC_KINDS);

  const syncNow = async (): Promise<void> => {
    setSyncing(true);
    setSyncError(null);
    const res = await api.data.sync({});
    setSyncing(false);
    if (res.ok) setLastSync(res.value);
    else setSyncError(res.error);
    void refreshDataStatus();
  };

  const datasets = (status?.datasets ?? []).filter((d) => !filter || d.name.toLowerCase().includes(filter));
  const busy = syncing || job !== null || (status?.syncing ?? false);
  const toggle = (name: string): void =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <section className="battery-data" aria-label="Battery data" data-testid="battery-data">
      <div className="tree-row battery-data-head" onClick={() => setOpen((v) => !v)}>
        <span className="chevron">{open ? '▾' : '▸'}</span>
        <span className="battery-data-title">Battery data</span>
        <span className="spacer" />
        <button
          type="button"
          className="btn small"
          data-testid="sync-now"
          disabled={busy || status?.hot.kind === 'none'}
          title="Copy new rows from PostgreSQL into the local mirror now"
          onClick={(e) => {
            e.stopPropagation();
            void syncNow();
          }}
        >
          {busy ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
      {open && (
        <>
          {status && <HotStoreLine status={status} now={now} />}
          <ColdCoverageNote block className="battery-data-note" />
          {busy && <SyncProgressLine kind={job?.kind ?? 'sync'} fraction={job?.fraction ?? null} message={job?.message ?? ''} />}
          {lastSync && !busy && (
            <div className="battery-data-note" data-testid="sync-result">
              Synced {formatCount(lastSync.rows)} new rows in {formatDuration(lastSync.elapsedMs)}
            </div>
          )}
          {syncError && <ErrorBox variant="inline" showCode error={syncError} testId="sync-error" />}
          {error && <ErrorBox variant="inline" showCode error={error} />}
          <ul className="tree" role="tree" aria-label="Battery datasets">
            {datasets.map((d) => (
              <DatasetNode key={d.name} dataset={d} now={now} open={expanded.has(d.name)} onToggle={() => toggle(d.name)} />
            ))}
          </ul>
          {status && datasets.length === 0 && filter && <div className="tree-empty">No dataset matches the filter.</div>}
        </>
      )}
    </section>
  );
}

function HotStoreLine({ status, now }: { status: DataStatus; now: number }) {
  const { hot } = status;
  const ago = formatAgo(status.syncedAt, now);
  const background = backgroundSyncText(status.background, now);
  if (hot.kind === 'none') {
    return (
      <div className="battery-data-note" data-testid="hot-state">
        <span className="state-dot off" aria-hidden="true" /> No PostgreSQL hot store in this run; the mirror serves what it has.
      </div>
    );
  }
  return (
    <div className="battery-data-note" data-testid="hot-state" title={hot.error ?? hot.target ?? undefined}>
      <div className="battery-data-line">
        <span className={hot.reachable ? 'state-dot ok' : 'state-dot bad'} aria-hidden="true" />
        <span>
          PostgreSQL {hot.kind} · {hot.reachable ? 'reachable' : hot.error ? 'unreachable' : 'starting…'}
        </span>
      </div>
      {hot.target && <div className="battery-data-line mono dim">{hot.target}</div>}
      {!hot.reachable && hot.error && <div className="battery-data-line bad-text">{hot.error}</div>}
      <div className="battery-data-line dim" data-testid="synced-overall">
        {ago ? `mirror synced ${ago}` : 'mirror not synced yet'}
      </div>
      {background && (
        <div
          className={background.bad ? 'battery-data-line bad-text' : 'battery-data-line dim'}
          data-testid="background-sync"
          title={status.background?.lastError ?? undefined}
        >
          {background.text}
        </div>
      )}
    </div>
  );
}

function SyncProgressLine({ kind, fraction, message }: { kind: string; fraction: number | null; message: string }) {
  const pct = fraction === null ? null : Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div className="battery-data-note" data-testid="sync-progress" aria-live="polite">
      <div className="battery-data-line">
        <span className="spinner" aria-hidden="true" />
        <span>{kind === 'demo' ? 'Generating the demo' : 'Syncing the mirror'}</span>
        {pct !== null && <span className="dim">{pct}%</span>}
      </div>
      {message && <div className="battery-data-line dim">{message}</div>}
    </div>
  );
}

interface DatasetNodeProps {
  dataset: DatasetStatus;
  now: number;
  open: boolean;
  onToggle: () => void;
}

function DatasetNode({ dataset: d, now, open, onToggle }: DatasetNodeProps) {
  const ago = formatAgo(d.hot.syncedAt, now);
  const failed = d.hot.lastError !== null;
  return (
    <li role="treeitem" aria-expanded={open} data-testid="battery-dataset" data-dataset={d.name}>
      <div className="tree-row depth-1" title={`${d.name}: hot and cold tiers in one view, with a tier column. Click to insert its name.`}>
        <span className="chevron" onClick={onToggle} role="button" aria-label={open ? 'Collapse' : 'Expand'}>
          {open ? '▾' : '▸'}
        </span>
        <span className="node-icon unified">U</span>
        <span className="node-name clickable" onClick={() => insertIntoEditor(displayIdent(d.name))}>
          {d.name}
        </span>
        <span className={failed ? 'node-meta bad-text' : 'node-meta'}>{failed ? 'sync failed' : ago ? ago : 'not synced'}</span>
      </div>
      {open && (
        <ul role="group">
          <li
            role="treeitem"
            className="tier-item depth-2"
            data-testid="tier-hot"
            title={`hot.${d.name}: the local mirror of PostgreSQL. Click to insert its name.`}
            onClick={() => insertIntoEditor(`hot.${displayIdent(d.name)}`)}
          >
            <div className="tier-line">
              <span className="tier-badge hot">hot</span>
              <span className="node-name clickable">{formatCount(d.hot.rows)} rows</span>
            </div>
            <div className="tier-line tier-sub">{ago ? `synced ${ago}` : 'never synced'}</div>
          </li>
          {d.hot.lastError && (
            <li className="tier-error depth-2" role="alert">
              {d.hot.lastError}
            </li>
          )}
          {d.cold ? (
            <li
              role="treeitem"
              className="tier-item depth-2"
              data-testid="tier-cold"
              title={`cold.${d.name}: the Parquet lake. Click to insert its name.`}
              onClick={() => insertIntoEditor(`cold.${displayIdent(d.name)}`)}
            >
              <div className="tier-line">
                <span className="tier-badge cold">cold</span>
                <span className="node-name clickable">
                  {formatCount(d.cold.files)} file{d.cold.files === 1 ? '' : 's'} · {formatBytes(d.cold.bytes)}
                </span>
              </div>
              <ColdCoverageNote block datasets={[d.name]} className="tier-line tier-sub" />
            </li>
          ) : (
            <li className="tier-item depth-2 dim">
              <div className="tier-line tier-sub">master data: hot store only</div>
            </li>
          )}
          {d.split && (
            <li className="tier-item depth-2 dim" title="Rows before this time are read from the lake, from it on from PostgreSQL">
              <div className="tier-line tier-sub">split at {instantText(d.split)} UTC</div>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}
