import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import { PIVOT_AGGREGATE_LABEL, PIVOT_AGGREGATES, type PivotAggregate, type PivotSpec } from '../../../shared/api/pivot';
import type { QueryRunResult } from '../../../shared/api/query';
import { formatCount, formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { ChipGroup } from '../../lib/ui/ChipGroup';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { isNumericType } from '../grid/columnKinds';
import { ResultsGrid } from '../grid/ResultsGrid';

interface Props {
  /** The SQL tab: its pivot setup stays while the tab lives, across runs and views. */
  tabId: string;
  /** The result to pivot (the SQL tab's latest). */
  source: QueryRunResult;
}

/** Each tab's pivot setup and whether it was applied (then a new result of the tab is pivoted at once). */
const setups = new Map<string, { spec: PivotSpec; applied: boolean }>();

type Value = PivotSpec['values'][number];

/** A closed tab's pivot setup goes with it. */
export function forgetPivot(tabId: string): void {
  setups.delete(tabId);
}

/** A first guess from the column types: the first text column as rows, the second as columns, the first number summed. */
export function defaultPivot(columns: QueryRunResult['columns']): PivotSpec {
  const text = columns.filter((c) => !isNumericType(c.type)).map((c) => c.name);
  const numbers = columns.filter((c) => isNumericType(c.type)).map((c) => c.name);
  const value: Value = numbers[0] ? { column: numbers[0], aggregate: 'sum' } : { column: columns[0]?.name ?? '', aggregate: 'count' };
  return { rows: text.slice(0, 1), columns: text.slice(1, 2), values: [value] };
}

/**
 * The Pivot tab: rows, spread columns and values with an aggregate, computed by DuckDB PIVOT on the kept
 * result (nothing but the choice of names goes to the core). The pivot is a result of its own: the grid reads,
 * sorts and exports it like any other. Its setup stays while the tab re-runs; a new result is pivoted again.
 */
export function PivotPanel({ tabId, source }: Props) {
  const names = source.columns.map((c) => c.name);
  const [spec, setSpec] = useState<PivotSpec>(() => setups.get(tabId)?.spec ?? defaultPivot(source.columns));
  const [last, setLast] = useState<{ sourceId: string; result: QueryRunResult } | null>(null);
  // A pivot of an earlier result of the tab is not shown.
  const pivoted = last?.sourceId === source.resultId ? last.result : null;
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [applied, setApplied] = useState(() => setups.get(tabId)?.applied ?? false);
  const [newValue, setNewValue] = useState<Value>(() => ({
    column: source.columns.find((c) => isNumericType(c.type))?.name ?? names[0] ?? '',
    aggregate: 'sum',
  }));
  const shownId = useRef<string | null>(null);

  const known = new Set(names);
  const usable: PivotSpec = {
    rows: spec.rows.filter((n) => known.has(n)),
    columns: spec.columns.filter((n) => known.has(n)),
    values: spec.values.filter((v) => known.has(v.column)),
  };
  const problem =
    usable.columns.length === 0 ? 'Pick at least one column to spread.' : usable.values.length === 0 ? 'Add a value to aggregate.' : null;

  /** Asks the core for the pivot; the state changes when it answers. */
  const request = (what: PivotSpec, runId: string): Promise<void> =>
    api.query.pivot({ resultId: source.resultId, runId, spec: what }).then((res) => {
      setRunning((r) => (r === runId ? null : r));
      if (!res.ok) {
        setError(res.error);
        return;
      }
      // The previous pivot is let go at once; the grid reads the new one.
      if (shownId.current) void api.query.close({ resultId: shownId.current });
      shownId.current = res.value.resultId;
      setError(null);
      setLast({ sourceId: source.resultId, result: res.value });
      setApplied(true);
    });
  const apply = (what: PivotSpec) => {
    const runId = crypto.randomUUID();
    setRunning(runId);
    setError(null);
    void request(what, runId);
  };

  // A new result of the tab is pivoted again with the same setup, once one was applied.
  useEffect(() => {
    if (applied && problem === null) void request(usable, crypto.randomUUID());
    // Only the source changes this.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [source.resultId]);

  useEffect(() => {
    setups.set(tabId, { spec, applied });
  }, [tabId, spec, applied]);

  useEffect(
    () => () => {
      if (shownId.current) void api.query.close({ resultId: shownId.current });
    },
    [],
  );

  const toggle = (field: 'rows' | 'columns', name: string, on: boolean) =>
    setSpec((s) => {
      const other = field === 'rows' ? 'columns' : 'rows';
      return {
        ...s,
        [field]: on ? [...s[field].filter((n) => n !== name), name] : s[field].filter((n) => n !== name),
        // A column is a row or a spread column, not both.
        [other]: on ? s[other].filter((n) => n !== name) : s[other],
      };
    });
  const chips = names.map((n) => ({ value: n, label: n }));

  return (
    <div className="pivot-panel" data-testid="pivot-panel">
      <div className="pivot-setup">
        <div className="pivot-field">
          <span className="lake-label">Rows</span>
          <ChipGroup label="Pivot rows" chips={chips} selected={usable.rows} onToggle={(n, on) => toggle('rows', n, on)} />
        </div>
        <div className="pivot-field">
          <span className="lake-label">Columns</span>
          <ChipGroup label="Pivot columns" chips={chips} selected={usable.columns} onToggle={(n, on) => toggle('columns', n, on)} />
        </div>
        <div className="pivot-field">
          <span className="lake-label">Values</span>
          <div className="chip-group" role="group" aria-label="Pivot values">
            {usable.values.map((v, i) => (
              <span key={`${v.aggregate}:${v.column}`} className="chip on" data-testid="pivot-value">
                {PIVOT_AGGREGATE_LABEL[v.aggregate]}({v.column})
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Remove ${PIVOT_AGGREGATE_LABEL[v.aggregate]} of ${v.column}`}
                  onClick={() => setSpec((s) => ({ ...s, values: usable.values.filter((_x, j) => j !== i) }))}
                >
                  ×
                </button>
              </span>
            ))}
            <select
              aria-label="Aggregate"
              value={newValue.aggregate}
              onChange={(e) => setNewValue((v) => ({ ...v, aggregate: e.target.value as PivotAggregate }))}
            >
              {PIVOT_AGGREGATES.map((a) => (
                <option key={a} value={a}>
                  {PIVOT_AGGREGATE_LABEL[a]}
                </option>
              ))}
            </select>
            <select
              aria-label="Value column"
              value={known.has(newValue.column) ? newValue.column : (names[0] ?? '')}
              onChange={(e) => setNewValue((v) => ({ ...v, column: e.target.value }))}
            >
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="btn"
              data-testid="pivot-add-value"
              onClick={() => {
                const column = known.has(newValue.column) ? newValue.column : names[0];
                if (!column) return;
                const value = { ...newValue, column };
                setSpec((s) => ({
                  ...s,
                  values: [...usable.values.filter((v) => v.column !== column || v.aggregate !== value.aggregate), value],
                }));
              }}
            >
              Add value
            </button>
          </div>
        </div>
        <div className="pivot-actions">
          <button
            type="button"
            className="btn primary"
            data-testid="pivot-run"
            disabled={problem !== null || running !== null}
            title={problem ?? 'Pivot the result'}
            onClick={() => apply(usable)}
          >
            Pivot
          </button>
          {running && (
            <button type="button" className="btn" onClick={() => void api.query.cancel({ runId: running })}>
              ■ Cancel
            </button>
          )}
          <span className="hint" data-testid="pivot-status">
            {problem ??
              (running || (applied && !pivoted && !error)
                ? 'Pivoting…'
                : pivoted
                  ? `${formatCount(pivoted.rowCount)} rows × ${formatCount(pivoted.columns.length)} columns in ${formatDuration(pivoted.elapsedMs)}`
                  : `Pivots all ${formatCount(source.rowCount)} rows of the result.`)}
          </span>
        </div>
      </div>
      {error && <ErrorBox variant="inline" showCode error={error} />}
      {pivoted ? (
        <ResultsGrid key={pivoted.resultId} result={pivoted} caveat={null} />
      ) : (
        !error && <div className="results-empty">Choose rows, columns and values, then Pivot.</div>
      )}
    </div>
  );
}
