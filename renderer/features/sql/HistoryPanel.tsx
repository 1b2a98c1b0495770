import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { HistoryEntry } from '../../../shared/api/query';
import { formatCount, formatDuration } from '../../../shared/format';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { SidePanelHeader } from './SidePanelHeader';

interface Props {
  /** Bumped after each run so the list refreshes. */
  refreshKey: number;
  onPick: (sql: string) => void;
  onClose: () => void;
}

/** Query history from the core, searchable; a click puts the SQL into the editor. */
export function HistoryPanel({ refreshKey, onPick, onClose }: Props) {
  const [search, setSearch] = useState('');
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      void api.query.history({ search, limit: 200 }).then((res) => {
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
      {error && <ErrorBox variant="inline" showCode error={error} />}
      <ul className="history-list">
        {entries.map((h) => (
          <li key={h.id}>
            <button
              type="button"
              className={h.error ? 'history-item failed' : 'history-item'}
              onClick={() => onPick(h.sql)}
              title={h.error ?? 'Click to put this SQL into the editor'}
            >
              <span className="history-sql">{h.sql.length > 600 ? `${h.sql.slice(0, 600)}…` : h.sql}</span>
              <span className="history-meta">
                {new Date(h.startedAt).toLocaleString()} · {h.target === 'hot' ? 'PostgreSQL' : 'DuckDB'} · {formatDuration(h.elapsedMs)}
                {h.rowCount !== null ? ` · ${formatCount(h.rowCount)} row${h.rowCount === 1 ? '' : 's'}` : ''}
                {h.error ? ' · failed' : ''}
              </span>
            </button>
          </li>
        ))}
        {entries.length === 0 && !error && <li className="tree-empty">{search ? 'No query matches.' : 'No queries yet.'}</li>}
      </ul>
    </aside>
  );
}
