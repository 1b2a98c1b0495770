import type { DuckDBConnection } from '@duckdb/node-api';
import type { ParquetScan } from '../../../shared/api/explain';
import type { RawScan } from '../engine/explain';
import { LakeCatalog } from '../lake/lake-catalog';
import type { Lake } from '../lake/lake';

interface KnownFile {
  dataset: string;
  month: string;
  size: number;
}

/** The file names a scan lists (DuckDB names the first few, then `...`). */
function listedNames(info: Record<string, string>): { names: string[]; truncated: boolean } {
  const text = info['Filename(s)'] ?? '';
  const names = text
    .split(', ')
    .map((n) => n.trim())
    .filter((n) => n !== '' && n !== '...');
  return { names, truncated: /\.\.\.\s*$/.test(text) };
}

/**
 * What each Parquet scan of a plan reads from the lake. A unified view reads each dataset one UTC month per
 * `read_parquet` (views.ts), so a scan that names a catalogued file reads that dataset-month's files: their
 * count and bytes come from the catalog when the engine's file count matches it; otherwise the bytes are those
 * of the files the engine named (a lower bound, said so). Files outside the lake keep the engine's count only.
 */
export async function parquetScans(conn: DuckDBConnection, lake: Lake, scans: readonly RawScan[]): Promise<ParquetScan[]> {
  const parquet = scans.filter((s) => !s.info.Table);
  if (parquet.length === 0) return [];
  const catalog = new LakeCatalog(conn, lake);
  const byPath = new Map<string, KnownFile>();
  const byMonth = new Map<string, { files: number; bytes: number }>();
  for (const dataset of await catalog.datasets()) {
    for (const f of await catalog.files(dataset)) {
      const month = (f.partition.date ?? '').slice(0, 7);
      byPath.set(lake.localPath(f.key), { dataset, month, size: f.size });
      const key = `${dataset}\u0000${month}`;
      const m = byMonth.get(key) ?? { files: 0, bytes: 0 };
      byMonth.set(key, { files: m.files + 1, bytes: m.bytes + f.size });
    }
  }
  return parquet.map((s) => {
    const { names, truncated } = listedNames(s.info);
    const read = Number(s.info['Total Files Read'] ?? s.info['Scanning Files']?.split('/')[0] ?? names.length);
    const known = names.map((n) => byPath.get(n)).filter((f): f is KnownFile => f !== undefined);
    const first = known[0];
    const month = first ? byMonth.get(`${first.dataset}\u0000${first.month}`) : undefined;
    if (first && month && month.files === read) {
      return { dataset: first.dataset, months: [first.month], files: read, bytes: month.bytes, bytesExact: true, names };
    }
    const namedBytes = known.reduce((n, f) => n + f.size, 0);
    return {
      dataset: first?.dataset ?? null,
      months: [...new Set(known.map((f) => f.month))],
      files: Number.isFinite(read) ? read : names.length,
      bytes: known.length > 0 ? namedBytes : null,
      bytesExact: known.length > 0 && !truncated && known.length === read,
      names,
    };
  });
}
