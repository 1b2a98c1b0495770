import { useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { ExplainResult, ParquetScan, PlanNode, TableScan } from '../../../shared/api/explain';
import { formatBytes, formatCount, formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { ErrorBox } from '../../lib/ui/ErrorBox';

/** What to explain: the statement at the cursor when Explain was pressed. */
export interface ExplainRequest {
  sql: string;
  /** Bumped by each press, so the same SQL is explained again. */
  seq: number;
}

interface Props {
  request: ExplainRequest | null;
}

type State = { status: 'idle' } | { status: 'running' } | { status: 'done'; result: ExplainResult } | { status: 'error'; error: ApiError };

/**
 * The plan of the statement at the cursor as a tree: per operator its estimated and actual rows and its time
 * (EXPLAIN ANALYZE runs the statement; off, nothing runs and only estimates show), and which tier each scan
 * reads: the lake's files and bytes after pruning, the hot mirror's rows. Everything shows as text.
 */
export function ExplainPanel({ request }: Props) {
  const [analyze, setAnalyze] = useState(true);
  const [state, setState] = useState<{ key: string; value: State }>({ key: '', value: { status: 'idle' } });
  const key = request ? `${request.seq}|${analyze}` : '';

  useEffect(() => {
    if (!request) return;
    const runId = crypto.randomUUID();
    let live = true;
    void api.query.explain({ sql: request.sql, runId, analyze }).then((res) => {
      if (!live) return;
      setState({ key, value: res.ok ? { status: 'done', result: res.value } : { status: 'error', error: res.error } });
    });
    return () => {
      live = false;
      void api.query.cancel({ runId });
    };
    // The key covers the request and the switch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  // A request not answered yet is running.
  const shown: State = state.key === key ? state.value : request ? { status: 'running' } : { status: 'idle' };

  return (
    <div className="explain-panel" data-testid="explain-panel">
      <div className="explain-bar">
        <label title="Runs the statement to measure actual rows and time per operator. Off: the optimizer's plan only; nothing runs.">
          <input type="checkbox" checked={analyze} onChange={(e) => setAnalyze(e.target.checked)} data-testid="explain-analyze" />
          Analyze (runs the statement)
        </label>
        <span className="hint" data-testid="explain-status">
          {shown.status === 'idle'
            ? 'Press Explain to see the plan of the statement at the cursor.'
            : shown.status === 'running'
              ? analyze
                ? 'Running the statement to time its plan…'
                : 'Planning…'
              : shown.status === 'done'
                ? shown.result.analyzed && shown.result.totalMs !== null
                  ? `Analyzed: ran in ${formatDuration(shown.result.totalMs)}`
                  : 'Estimated plan: nothing ran'
                : ''}
        </span>
      </div>
      {shown.status === 'error' && <ErrorBox variant="inline" showCode error={shown.error} />}
      {shown.status === 'done' && (
        <div className="explain-body">
          <Tiers parquet={shown.result.parquet} tables={shown.result.tables} />
          <ul className="plan-tree" data-testid="plan-tree">
            <PlanItem node={shown.result.root} total={maxTime(shown.result.root)} />
          </ul>
        </div>
      )}
    </div>
  );
}

function maxTime(node: PlanNode): number {
  return Math.max(node.timeMs ?? 0, ...node.children.map(maxTime));
}

/** Which tier the plan reads: cold lake files (with bytes) and hot mirror rows. */
function Tiers({ parquet, tables }: { parquet: ParquetScan[]; tables: TableScan[] }) {
  const hot = tables.filter((t) => t.hot);
  const other = tables.filter((t) => !t.hot);
  return (
    <div className="explain-tiers" data-testid="explain-tiers">
      <div data-testid="explain-cold">
        <strong>Cold (lake): </strong>
        {parquet.length === 0
          ? 'reads no Parquet file.'
          : parquet.map((p, i) => (
              <span key={i} className="tier-scan" title={p.names.join('\n')}>
                {p.dataset ?? 'files outside the lake'}
                {p.months.length > 0 ? ` ${p.months.join(', ')}` : ''}: {formatCount(p.files)} file{p.files === 1 ? '' : 's'}
                {p.bytes !== null ? `, ${p.bytesExact ? '' : 'at least '}${formatBytes(p.bytes)}` : ''}
              </span>
            ))}
      </div>
      <div data-testid="explain-hot">
        <strong>Hot (mirror): </strong>
        {hot.length === 0
          ? 'reads no hot mirror table.'
          : hot.map((t, i) => (
              <span key={i} className="tier-scan">
                {t.table.split('.').slice(-2).join('.')}: {t.rows === null ? '?' : formatCount(t.rows)}
                {t.tableRows !== null ? ` of ${formatCount(t.tableRows)}` : ''} rows
              </span>
            ))}
      </div>
      {other.length > 0 && (
        <div>
          <strong>Workspace tables: </strong>
          {other.map((t, i) => (
            <span key={i} className="tier-scan">
              {t.table}: {t.rows === null ? '?' : formatCount(t.rows)} rows
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

const DETAIL_MAX = 160;

function PlanItem({ node, total }: { node: PlanNode; total: number }) {
  const share = total > 0 && node.timeMs !== null ? node.timeMs / total : 0;
  return (
    <li>
      <div className="plan-node" data-testid="plan-node">
        <span className="plan-op">{node.operator}</span>
        <span className="plan-num" title="Estimated rows">
          est. {node.estimatedRows === null ? '–' : formatCount(node.estimatedRows)}
        </span>
        {node.actualRows !== null && (
          <span className="plan-num" title="Actual rows">
            {formatCount(node.actualRows)} rows
          </span>
        )}
        {node.timeMs !== null && (
          <span className="plan-num" title="Time in this operator, summed over its threads">
            {formatDuration(node.timeMs)}
            <span className="plan-bar" aria-hidden>
              <span style={{ width: `${Math.round(share * 100)}%` }} />
            </span>
          </span>
        )}
      </div>
      {node.details.length > 0 && (
        <div className="plan-details">
          {node.details.map((d) => (
            <div key={d.name} title={d.value.length > DETAIL_MAX ? d.value : undefined}>
              <span className="plan-detail-name">{d.name}:</span>{' '}
              {d.value.length > DETAIL_MAX ? `${d.value.slice(0, DETAIL_MAX)}…` : d.value}
            </div>
          ))}
        </div>
      )}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c, i) => (
            <PlanItem key={i} node={c} total={total} />
          ))}
        </ul>
      )}
    </li>
  );
}
