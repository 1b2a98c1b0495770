import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectCost } from '../../../shared/cost';
import { runCodecLab } from './codec-lab';
import { inspectParquet, pathTarget } from './inspect';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-parquet-'));
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
  // A partitioned dataset with a missing day (01-03) and two small files on 01-02.
  for (const [day, part, n] of [
    ['2024-01-01', 0, 1000],
    ['2024-01-02', 0, 700],
    ['2024-01-02', 1, 300],
    ['2024-01-04', 0, 50],
  ] as const) {
    await mkdir(join(dir, 'ds', `date=${day}`), { recursive: true });
    await conn.run(
      `COPY (SELECT i AS id, TIMESTAMP '${day}' + INTERVAL (i) SECOND AS ts, 2.0 + i / 1000.0 AS voltage_v, CASE WHEN i % 10 = 0 THEN NULL ELSE 'jar' END AS label
             FROM range(${n}) t(i)) TO '${join(dir, 'ds', `date=${day}`, `part-${part}.parquet`)}' (FORMAT parquet, COMPRESSION zstd, KV_METADATA {writer: 'test'})`,
    );
  }
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe('Parquet inspector', () => {
  it('reports files, schema, row groups, column stats, key-value metadata and the partition calendar', async () => {
    const r = await inspectParquet(conn, await pathTarget(join(dir, 'ds')));
    expect(r.files.map((f) => f.path)).toEqual([
      'date=2024-01-01/part-0.parquet',
      'date=2024-01-02/part-0.parquet',
      'date=2024-01-02/part-1.parquet',
      'date=2024-01-04/part-0.parquet',
    ]);
    expect(r.rows).toBe(2050);
    expect(r.schema.map((c) => c.name)).toEqual(['id', 'ts', 'voltage_v', 'label']);
    const id = r.columns.find((c) => c.column === 'id');
    expect(id?.min).toBe('0');
    expect(id?.max).toBe('999');
    expect(id?.codecs).toEqual(['ZSTD']);
    const label = r.columns.find((c) => c.column === 'label');
    expect(label?.nulls).toBe(100 + 70 + 30 + 5);
    expect(r.columns.reduce((a, c) => a + c.share, 0)).toBeCloseTo(1, 6);
    expect(r.keyValue.some((kv) => kv.key === 'writer' && kv.value === 'test')).toBe(true);
    expect(r.partitions?.key).toBe('date');
    expect(r.partitions?.present).toEqual(['2024-01-01', '2024-01-02', '2024-01-04']);
    expect(r.partitions?.missing).toEqual(['2024-01-03']);
    // Small, but only the two files of one partition can be merged: a partition's only file is not flagged.
    expect(r.warnings.map((w) => w.path)).toEqual(['date=2024-01-02/part-0.parquet', 'date=2024-01-02/part-1.parquet']);
    // Figures agree with an independent reader.
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(dir, 'ds', 'date=2024-01-01', 'part-0.parquet')));
    expect(Number(meta.num_rows)).toBe(r.files[0].rows);
  });

  it('refuses a file that is not Parquet with a clear error', async () => {
    const bad = join(dir, 'bad.parquet');
    await writeFile(bad, 'this is not parquet');
    await expect(inspectParquet(conn, await pathTarget(bad))).rejects.toThrow(/Not a readable Parquet file/);
  });

  it('codec lab measures every codec on the same sample', async () => {
    const r = await runCodecLab(
      conn,
      [join(dir, 'ds', 'date=2024-01-01', 'part-0.parquet')],
      1000,
      [{ codec: 'uncompressed' }, { codec: 'snappy' }, { codec: 'zstd', level: 9 }],
      dir,
    );
    expect(r.map((x) => x.codec)).toEqual(['uncompressed', 'snappy', 'zstd']);
    expect(r[2].bytes).toBeLessThan(r[0].bytes);
    expect(r[0].ratio).toBe(1);
    expect((await readdir(dir)).filter((n) => n.startsWith('.bw-tmp-'))).toEqual([]);
  });
});

describe('cost projection', () => {
  it('prices hot and cold per GB-month', () => {
    const GB = 1024 ** 3;
    const p = projectCost({
      hotBytes: 10 * GB,
      coldBytes: 100 * GB,
      hotPerGbMonth: 0.2,
      coldPerGbMonth: 0.02,
      archivableHotBytes: 5 * GB,
      archivableParquetBytes: 0.5 * GB,
    });
    expect(p.hotMonthly).toBeCloseTo(2, 9);
    expect(p.coldMonthly).toBeCloseTo(2, 9);
    expect(p.archivalSavingMonthly).toBeCloseTo(1 - 0.01, 9);
  });
});
