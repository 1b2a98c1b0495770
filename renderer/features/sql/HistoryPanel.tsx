import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { HistoryEntry } from '../../../shared/api/query';
import { formatCount, formatDuration, formatUtc } from '../../../shared/format';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { compareRuns, shortFingerprint, type RunComparison } from './historyCompare';
import { addTab } from './tabsStore';
import { SidePanelHeader } from './SidePanelHeader';

interface Props {
  /** Bumped after each run so the list refreshes. */
  refreshKey: number;
  onPick: (sql: string) => void;
  /** Runs a past run's SQL again, on its target. */
  onRerun: (entry: HistoryEntry) => void;
  onClose: () => void;
}

const LIMIT = 200;

/**
 * Query history from the core, searchable; a click puts the SQL into the editor. Each run can be run again,
 * opened in a new tab, or picked (two at most) to compare their results by fingerprint and row count.
 */
export function HistoryPanel({ refreshKey, onPick, onRerun, onClose }: Props) {
  const [search, setSearch] = useState('');
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [picked, setPicked] = useState<number[]>([]);
  const [comparison, setComparison] = useState<RunComparison | null>(null);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      void api.query.history({ search, limit: LIMIT }).then((res) => {
        if (!live) return;
        if (res.ok) {
          setEntries(res.value.entries);
          setError(null);
        } else setError(res.error);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [search, refreshKey]);

  const togglePick = (id: number) => {
    setComparison(null);
    // A third pick replaces the older of the two.
    setPicked((prev) => (prev.includes(id) ? prev.filter((p) => p !== id) : [...prev, id].slice(-2)));
  };

  const compare = async () => {
    // Read the two runs afresh: a fingerprint is stored shortly after its run returns.
    const res = await api.query.history({ search, limit: LIMIT });
    if (!res.ok) {
      setError(res.error);
      return;
    }
    setEntries(res.value.entries);
    const [a, b] = picked.map((id) => res.value.entries.find((e) => e.id === id));
    setComparison(a && b ? compareRuns(a, b) : { verdict: 'unknown', text: 'cannot compare: a picked run is no longer listed' });
  };

  return (
    <aside className="history-panel" data-testid="history-panel" aria-label="Query history">
      <SidePanelHeader title="History" closeLabel="Close history" onClose={onClose} />
      <input
        className="filter-input"
        type="search"
        placeholder="Search history"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        aria-label="Search history"
      />
      {picked.length > 0 && (
        <div className="history-compare" data-testid="history-compare">
          <button
            type="button"
            className="btn"
            disabled={picked.length !== 2}
            onClick={() => void compare()}
            data-testid="history-compare-button"
          >
            {picked.length === 2 ? `Compare #${Math.min(...picked)} and #${Math.max(...picked)}` : 'Pick one more run to compare'}
          </button>
          {comparison && (
            <span className={`history-compare-result ${comparison.verdict}`} data-testid="history-compare-result">
              {comparison.text}
            </span>
          )}
        </div>
      )}
      {error && <ErrorBox variant="inline" showCode error={error} />}
      <ul className="history-list">
        {entries.map((h) => (
          <li key={h.id} className="history-entry" data-testid="history-entry">
            <button
              type="button"
              className={h.error ? 'history-item failed' : 'history-item'}
              onClick={() => onPick(h.sql)}
              title={h.error ?? 'Click to put this SQL into the editor'}
            >
              <span className="history-sql">{h.sql.length > 600 ? `${h.sql.slice(0, 600)}…` : h.sql}</span>
              <span className="history-meta">
                #{h.id} · {formatUtc(h.startedAt)} · {h.target === 'hot' ? 'PostgreSQL' : 'DuckDB'} · {formatDuration(h.elapsedMs)}
                {h.rowCount !== null ? ` · ${formatCount(h.rowCount)} row${h.rowCount === 1 ? '' : 's'}` : ''}
                {h.error ? ' · failed' : ''}
              </span>
              {h.resultHash && (
                <span className="history-meta history-fingerprint" title={`Result fingerprint ${h.resultHash}`}>
                  fingerprint {shortFingerprint(h.resultHash)}
                </span>
              )}
            </button>
            <div className="history-actions">
              <label title="Pick two runs to compare their results">
                <input
                  type="checkbox"
                  checked={picked.includes(h.id)}
                  onChange={() => togglePick(h.id)}
                  aria-label={`Pick run #${h.id} to compare`}
                  data-testid="history-pick"
                />
                compare
              </label>
              <button type="button" className="link-btn" onClick={() => onRerun(h)} data-testid="history-rerun">
                Re-run
              </button>
              <button type="button" className="link-btn" onClick={() => addTab(h.sql)} data-testid="history-open-tab">
                Open in new tab
              </button>
            </div>
          </li>
        ))}
        {entries.length === 0 && !error && <li className="tree-empty">{search ? 'No query matches.' : 'No queries yet.'}</li>}
      </ul>
    </aside>
  );
}
