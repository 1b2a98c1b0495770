import type { ColumnChunkStats } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { formatRatio, formatShare, ratioOf } from './units';

interface Props {
  columns: readonly ColumnChunkStats[];
  /** `storage`: sizes, codecs, encodings and share; `stats`: min, max and nulls too. */
  variant: 'storage' | 'stats';
  testId?: string;
}

/** Per-column figures of one Parquet file or dataset, as plain text. */
export function ColumnStatsTable({ columns, variant, testId }: Props) {
  return (
    <div className="lake-table-wrap" data-testid={testId}>
      <table className="lake-table">
        <thead>
          <tr>
            <th>Column</th>
            <th>Type</th>
            {variant === 'stats' && (
              <>
                <th>Min</th>
                <th>Max</th>
                <th className="num">Nulls</th>
              </>
            )}
            <th className="num">Compressed</th>
            <th className="num">Uncompressed</th>
            <th className="num">Ratio</th>
            <th className="num">Share</th>
            <th>Codec</th>
            <th>Encodings</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((c) => (
            <tr key={c.column}>
              <td className="mono">{c.column}</td>
              <td className="mono dim" title={`Parquet physical type ${c.physicalType}`}>
                {c.type}
              </td>
              {variant === 'stats' && (
                <>
                  <td className="mono clip" title={c.min ?? undefined}>
                    {c.min ?? <span className="null">–</span>}
                  </td>
                  <td className="mono clip" title={c.max ?? undefined}>
                    {c.max ?? <span className="null">–</span>}
                  </td>
                  <td className="num">{c.nulls === null ? '–' : formatCount(c.nulls)}</td>
                </>
              )}
              <td className="num">{formatBytes(c.compressedBytes)}</td>
              <td className="num">{formatBytes(c.uncompressedBytes)}</td>
              <td className="num">{formatRatio(ratioOf(c.uncompressedBytes, c.compressedBytes))}</td>
              <td className="num">
                <span className="share-bar" aria-hidden="true">
                  <span style={{ width: `${Math.max(0, Math.min(1, c.share)) * 100}%` }} />
                </span>
                {formatShare(c.share)}
              </td>
              <td className="mono">{c.codecs.join(', ')}</td>
              <td className="mono dim">{c.encodings.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
