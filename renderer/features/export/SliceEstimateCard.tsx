import type { ApiError } from '../../../shared/api/errors';
import type { SliceEstimate } from '../../../shared/api/slice';
import type { SpecIssue } from '../../../shared/domain/slice-spec';
import { formatBytes, formatCount } from '../../../shared/format';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { shareOf } from './sliceForm';

interface Props {
  estimate: SliceEstimate | null;
  estimating: boolean;
  estimateError: ApiError | null;
  issues: readonly SpecIssue[];
  running: boolean;
  runError: ApiError | null;
  notice: string | null;
  onRun: () => void;
  onCopySpec: () => void;
}

/** Rows, size and schema of the slice before it runs (or why the spec is not valid), with "Export slice". */
export function SliceEstimateCard({ estimate, estimating, estimateError, issues, running, runError, notice, onRun, onCopySpec }: Props) {
  return (
    <div className="export-card" data-testid="slice-estimate">
      <div className="card-title">Estimate {estimating && <span className="dim">· updating…</span>}</div>
      {issues.length > 0 && (
        <ul className="issue-list" role="alert">
          {issues.map((i) => (
            <li key={`${i.field}:${i.message}`}>
              <code>{i.field}</code> {i.message}
            </li>
          ))}
        </ul>
      )}
      {estimateError && <ErrorBox variant="inline" error={estimateError} alert={false} />}
      {estimate && issues.length === 0 && <EstimateFigures estimate={estimate} />}
      <div className="export-row">
        <button
          type="button"
          className="btn primary"
          data-testid="slice-run"
          disabled={issues.length > 0 || running || estimate?.rows === 0}
          onClick={onRun}
        >
          Export slice
        </button>
        <button type="button" className="btn" onClick={onCopySpec}>
          Copy spec
        </button>
        {notice && <span className="dim">{notice}</span>}
      </div>
      {estimate?.rows === 0 && issues.length === 0 && <div className="hint">No rows match: widen the time range or the filter.</div>}
      {runError && <ErrorBox variant="inline" error={runError} withDetail />}
    </div>
  );
}

function EstimateFigures({ estimate }: { estimate: SliceEstimate }) {
  return (
    <>
      <div className="big-figures">
        <div>
          <strong data-testid="estimate-rows">{formatCount(estimate.rows)}</strong> rows
        </div>
        <div>
          about <strong>{formatBytes(estimate.bytes)}</strong> Parquet
        </div>
        <div>
          <strong>{estimate.schema.length}</strong> columns
        </div>
      </div>
      {estimate.splits.length > 1 && (
        <table className="export-table">
          <tbody>
            {estimate.splits.map((s) => (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td className="num">{formatCount(s.rows)} rows</td>
                <td className="num dim">{shareOf(s.rows, estimate.rows)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details>
        <summary>Schema and SQL</summary>
        <div className="schema-list">
          {estimate.schema.map((c) => (
            <span key={c.name}>
              {c.name} <span className="dim">{c.type}</span>
            </span>
          ))}
        </div>
        <pre className="export-pre">{estimate.sql}</pre>
      </details>
    </>
  );
}
