import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParquetCodec } from '../../../shared/api/convert';
import type { CodecResult } from '../../../shared/api/storage';
import { quoteLiteral } from '../../../shared/sql';
import { TEMP_PREFIX } from '../files/atomic';
import { sqlPathList } from '../lake/lake-sql';

export interface CodecChoice {
  codec: ParquetCodec;
  level?: number;
}

/**
 * Re-encodes a sample of the given Parquet files under each codec and times the write and a
 * full read (every column decoded: the row is hashed). Work files live in `scratchDir` and are removed.
 */
export async function runCodecLab(
  conn: DuckDBConnection,
  files: string[],
  sampleRows: number,
  codecs: CodecChoice[],
  scratchDir: string,
): Promise<CodecResult[]> {
  const dir = join(scratchDir, `${TEMP_PREFIX}${process.pid}-codeclab-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  try {
    // Materialize the sample once so every codec encodes exactly the same rows.
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE bw_codec_sample AS SELECT * FROM read_parquet(${sqlPathList(files)}) LIMIT ${Math.floor(sampleRows)}`,
    );
    const results: CodecResult[] = [];
    let uncompressed = 0;
    for (const c of codecs) {
      const out = join(dir, `${c.codec}-${c.level ?? 'default'}.parquet`);
      const opts = [`FORMAT parquet`, `COMPRESSION ${c.codec.toUpperCase()}`, `ROW_GROUP_SIZE 122880`];
      if (c.codec === 'zstd' && c.level !== undefined) opts.push(`COMPRESSION_LEVEL ${c.level}`);
      const t0 = performance.now();
      await conn.run(`COPY bw_codec_sample TO ${quoteLiteral(out)} (${opts.join(', ')})`);
      const t1 = performance.now();
      await conn.run(`SELECT bit_xor(hash(t)) FROM read_parquet(${quoteLiteral(out)}) t`);
      const t2 = performance.now();
      const bytes = (await stat(out)).size;
      if (c.codec === 'uncompressed') uncompressed = bytes;
      results.push({
        codec: c.codec,
        level: c.codec === 'zstd' ? (c.level ?? 3) : null,
        bytes,
        writeMs: t1 - t0,
        readMs: t2 - t1,
        ratio: 0,
      });
      await rm(out, { force: true });
    }
    const base = uncompressed || Math.max(...results.map((r) => r.bytes));
    for (const r of results) r.ratio = r.bytes > 0 ? base / r.bytes : 0;
    return results;
  } finally {
    await conn.run('DROP TABLE IF EXISTS temp.bw_codec_sample').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
