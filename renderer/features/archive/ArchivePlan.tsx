import type { DryRunDataset } from '../../../shared/api/archive';
import { formatBytes, formatCount } from '../../../shared/format';
import { DATASET_LABELS, dayRange, planTotals } from './archiveModel';

interface Props {
  plan: readonly DryRunDataset[];
}

/** What a run would move, per dataset: rows, days (one batch each), PostgreSQL bytes to free, estimated Parquet. */
export function ArchivePlan({ plan }: Props) {
  const totals = planTotals(plan);
  return (
    <div className="lake-table-wrap">
      <table className="lake-table archive-plan-table">
        <thead>
          <tr>
            <th>Dataset</th>
            <th className="num">Rows</th>
            <th>Days (UTC)</th>
            <th className="num">Partitions</th>
            <th className="num" title="Estimated from the dataset's share of its table and indexes">
              PostgreSQL to free
            </th>
            <th className="num" title="From the bytes per row of the dataset's files already in the lake">
              Est. Parquet
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.map((p) => (
            <tr key={p.dataset} data-dataset={p.dataset}>
              <td>
                {DATASET_LABELS[p.dataset]} <span className="mono dim">{p.dataset}</span>
              </td>
              <td className="num" data-testid={`plan-rows-${p.dataset}`}>
                {formatCount(p.rows)}
              </td>
              <td className="mono">{dayRange(p.partitions)}</td>
              <td className="num">{formatCount(p.partitions.length)}</td>
              <td className="num">{formatBytes(p.postgresBytes)}</td>
              <td className="num">{formatBytes(p.estimatedParquetBytes)}</td>
            </tr>
          ))}
          {plan.length > 1 && (
            <tr className="total">
              <td>Total</td>
              <td className="num">{formatCount(totals.rows)}</td>
              <td />
              <td className="num">{formatCount(totals.batches)}</td>
              <td className="num">{formatBytes(totals.postgresBytes)}</td>
              <td className="num">{formatBytes(totals.estimatedParquetBytes)}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
