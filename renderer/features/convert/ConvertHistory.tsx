import type { StoredConversion } from '../../../shared/api/convert';
import { formatBytes, formatCount } from '../../../shared/format';
import { formatRatio } from '../compression/units';
import { describeTarget } from './reportShape';
import { ErrorBox } from '../../lib/ui/ErrorBox';

export type HistoryEntry = StoredConversion;

interface Props {
  entries: readonly HistoryEntry[] | null;
  error: string | null;
  selectedId: number | null;
  onSelect: (entry: HistoryEntry) => void;
  onRefresh: () => void;
}

/** Past conversions (convert.history), newest first; a click shows the report. */
export function ConvertHistory({ entries, error, selectedId, onSelect, onRefresh }: Props) {
  return (
    <aside className="history-panel convert-history" aria-label="Conversion history" data-testid="convert-history">
      <div className="panel-header">
        <span className="panel-title">Conversion history</span>
        <span className="spacer" />
        <button type="button" className="icon-btn" title="Refresh" aria-label="Refresh the history" onClick={onRefresh}>
          ↻
        </button>
      </div>
      {error && <ErrorBox variant="inline" error={error} alert={false} />}
      {entries && entries.length === 0 && <div className="empty">No conversions yet.</div>}
      <ul className="history-list">
        {(entries ?? []).map((h) => (
          <li key={h.id}>
            <button
              type="button"
              className={`history-item${h.error ? ' failed' : ''}${h.id === selectedId ? ' selected' : ''}`}
              onClick={() => onSelect(h)}
              data-testid="convert-history-item"
            >
              <span className="history-sql">{describeTarget(h.target)}</span>
              <span className="history-meta">
                {h.startedAt.replace('T', ' ').replace('Z', '')} ·{' '}
                {h.error ? (
                  <span className="danger">
                    {/cancel/i.test(h.error) ? 'cancelled' : 'failed'}
                    {h.rejected > 0 ? `, ${formatCount(h.rejected)} bad rows` : ''}
                  </span>
                ) : (
                  `${formatCount(h.rows)} rows · ${formatBytes(h.inputBytes)} → ${formatBytes(h.outputBytes)} · ${formatRatio(h.ratio)}`
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
