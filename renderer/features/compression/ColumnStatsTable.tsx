import type { ColumnChunkStats } from '../../../shared/api/storage';
import { formatBytes, formatCount } from '../../../shared/format';
import { formatRatio, formatShare, ratioOf } from './units';
import { DataTable, type Column } from '../../lib/ui/DataTable';

interface Props {
  columns: readonly ColumnChunkStats[];
  /** `storage`: sizes, codecs, encodings and share; `stats`: min, max and nulls too. */
  variant: 'storage' | 'stats';
  testId?: string;
}

type Row = ColumnChunkStats;

const NAME_COLUMNS: Column<Row>[] = [
  { header: 'Column', className: 'mono', cell: (c) => c.column },
  { header: 'Type', className: 'mono dim', cell: (c) => c.type, title: (c) => `Parquet physical type ${c.physicalType}` },
];

const STATS_COLUMNS: Column<Row>[] = [
  { header: 'Min', className: 'mono clip', cell: (c) => c.min ?? <span className="null">–</span>, title: (c) => c.min ?? undefined },
  { header: 'Max', className: 'mono clip', cell: (c) => c.max ?? <span className="null">–</span>, title: (c) => c.max ?? undefined },
  { header: 'Nulls', className: 'num', cell: (c) => (c.nulls === null ? '–' : formatCount(c.nulls)) },
];

const SIZE_COLUMNS: Column<Row>[] = [
  { header: 'Compressed', className: 'num', cell: (c) => formatBytes(c.compressedBytes) },
  { header: 'Uncompressed', className: 'num', cell: (c) => formatBytes(c.uncompressedBytes) },
  { header: 'Ratio', className: 'num', cell: (c) => formatRatio(ratioOf(c.uncompressedBytes, c.compressedBytes)) },
  {
    header: 'Share',
    className: 'num',
    cell: (c) => (
      <>
        <span className="share-bar" aria-hidden="true">
          <span style={{ width: `${Math.max(0, Math.min(1, c.share)) * 100}%` }} />
        </span>
        {formatShare(c.share)}
      </>
    ),
  },
  { header: 'Codec', className: 'mono', cell: (c) => c.codecs.join(', ') },
  { header: 'Encodings', className: 'mono dim', cell: (c) => c.encodings.join(', ') },
];

/** Per-column figures of one Parquet file or dataset, as plain text. */
export function ColumnStatsTable({ columns, variant, testId }: Props) {
  const shown: Column<Row>[] =
    variant === 'stats' ? [...NAME_COLUMNS, ...STATS_COLUMNS, ...SIZE_COLUMNS] : [...NAME_COLUMNS, ...SIZE_COLUMNS];
  return (
    <div className="lake-table-wrap" data-testid={testId}>
      <DataTable columns={shown} rows={columns} rowKey={(c) => c.column} wrap={null} />
    </div>
  );
}
