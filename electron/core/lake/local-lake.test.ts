import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { partitionKey } from './lake';
import { LocalLake } from './local-lake';
import { lakeFilesSql } from './lake-sql';
import { quoteLiteral } from '../../../shared/sql';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-lake-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalLake', () => {
  it('stages under a hidden temp name and publishes atomically into the hive layout', async () => {
    const lake = new LocalLake(join(dir, 'lake'));
    await lake.ensure();
    expect(await lake.list('telemetry')).toEqual([]);
    const staged = await lake.stage(partitionKey('telemetry', '2024-05-01', 'b1'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT range AS n, TIMESTAMPTZ '2024-05-01 00:00:00+00' AS ts FROM range(10)) TO ${quoteLiteral(staged.path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    // Not visible before publish: neither to list() nor to DuckDB's glob.
    expect(await lake.list('telemetry')).toEqual([]);
    expect(await lake.datasets()).toEqual([]);
    const file = await lake.publish(staged);
    expect(file.key).toBe('telemetry/date=2024-05-01/part-b1.parquet');
    expect(file.partition).toEqual({ date: '2024-05-01' });
    expect(await lake.datasets()).toEqual(['telemetry']);
    const r = await conn.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, any_value(date)::VARCHAR AS d FROM read_parquet(${lakeFilesSql(lake, await lake.list('telemetry'))}, hive_partitioning = true)`,
    );
    expect(r.getRowObjectsJson()[0]).toEqual({ n: 10, d: '2024-05-01' });
    expect((await readdir(join(dir, 'lake', 'telemetry', 'date=2024-05-01'))).filter((f) => f.startsWith('.'))).toEqual([]);
    conn.closeSync();
    db.closeSync();
  });

  it('refuses keys that escape the lake and skips leftovers of crashed writers', async () => {
    const lake = new LocalLake(join(dir, 'lake2'));
    await expect(lake.put('../evil', 'x')).rejects.toThrow(/Invalid lake key/);
    await expect(lake.read('a/../../b')).rejects.toThrow(/Invalid lake key/);
    await lake.put('alert/date=2024-01-01/part-x.parquet', 'not really parquet');
    await writeFile(join(dir, 'lake2', 'alert', 'date=2024-01-01', '.part-y.parquet.123.ab.tmp'), 'half');
    expect((await lake.list('alert')).map((f) => f.key)).toEqual(['alert/date=2024-01-01/part-x.parquet']);
    await lake.removeDataset('alert');
    expect(await lake.list('alert')).toEqual([]);
  });

  it('answers the cold-coverage question without listing its files: every day of a local lake is on disk', async () => {
    const lake = new LocalLake(join(dir, 'lake3'));
    await lake.put('alert/date=2024-01-01/part-x.parquet', 'x');
    await lake.put('alert/date=2024-01-02/part-x.parquet', 'x');
    const full = await lake.status();
    expect(full.datasets.map((d) => d.dataset)).toEqual(['alert']);
    expect(full.complete).toBe(true);
    // What a coverage note reads of the full status: no day missing from the cache.
    expect(full.datasets.map((d) => [d.daysRemote, d.daysCached, d.missingDays])).toEqual([[2, 2, []]]);

    const listing = vi.spyOn(lake as unknown as { liveByDataset: () => Promise<unknown> }, 'liveByDataset');
    const coverage = await lake.status({ coverageOnly: true });
    expect(listing).not.toHaveBeenCalled();
    expect(coverage).toMatchObject({ kind: 'local', complete: true, datasets: [] });
    await lake.status();
    expect(listing).toHaveBeenCalledTimes(1);
  });
});
