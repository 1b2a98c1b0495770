import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { gzipSync } from 'node:zlib';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvertRequest, type ConvertRequestInput } from '../../../shared/api/convert';
import { WorkbenchError } from '../../../shared/api/errors';
import { queryNumber } from '../engine/duck-query';
import { LakeIntents } from '../lake/intents';
import { openWorkbench } from '../workbench';
import { convertCsvFiles } from './convert';
import { listInputs, previewCsv } from './csv';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-convert-'));
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Reads a Parquet file with hyparquet: a second, independent reader. */
async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const file = await asyncBufferFromFile(path);
  return parquetReadObjects({ file, compressors });
}

async function write(name: string, content: string | Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

function req(input: ConvertRequestInput): ConvertRequest {
  return ConvertRequest.parse(input);
}

async function outDir(): Promise<string> {
  return mkdtemp(join(dir, 'out-'));
}

async function expectNoTemps(folder: string): Promise<void> {
  const all = await readdir(folder, { recursive: true });
  expect(all.filter((f) => String(f).includes('.bw-tmp-'))).toEqual([]);
}

describe('CSV to Parquet', () => {
  it('handles quoted commas, escaped quotes, newlines in quotes, CRLF, empty fields, UTF-8 and a BOM', async () => {
    const csv =
      '\uFEFFid,name,note,temp\r\n' +
      '1,"Smith, Jane","said ""hi""",21.5\r\n' +
      '2,Zoë Ærø 電池,"two\r\nlines",\r\n' +
      '3,,plain,-4.25\r\n';
    const input = await write('edge.csv', csv);
    const out = await outDir();
    const report = await convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {});
    expect(report.rows).toBe(3);
    expect(report.rejected).toBe(0);
    const rows = await readParquet(join(out, 'edge.parquet'));
    expect(rows.map((r) => Number(r.id))).toEqual([1, 2, 3]);
    expect(rows[0].name).toBe('Smith, Jane');
    expect(rows[0].note).toBe('said "hi"');
    expect(rows[1].name).toBe('Zoë Ærø 電池');
    expect(String(rows[1].note).replace('\r\n', '\n')).toBe('two\nlines');
    expect(rows[1].temp).toBeNull();
    expect(rows[2].name).toBeNull();
    expect(rows[2].temp).toBe(-4.25);
    await expectNoTemps(out);
  });

  it('names the right lines of bad rows deep in a file read in several buffers', async () => {
    // 18 MB: five of the reader's 4 MiB buffers, read in parallel; the bad rows sit in the second and the fourth.
    const bad = new Set([123_456, 456_789]);
    const pad = 'n'.repeat(20);
    const lines = ['id,v,note'];
    for (let i = 0; i < 500_000; i++) lines.push(`${i},${bad.has(i) ? 'not-a-number' : (13 + (i % 1000) / 1000).toFixed(3)},${pad}`);
    const input = await write('deep-bad.csv', `${lines.join('\n')}\n`);
    const columns = [{ source: 'v', type: 'DOUBLE' }];
    const failing = await convertCsvFiles(
      conn,
      req({ inputs: [input], target: { kind: 'folder', path: await outDir() }, columns }),
      {},
    ).catch((err: unknown) => err);
    expect(failing).toBeInstanceOf(WorkbenchError);
    // Line 1 is the header: row i is on line i + 2.
    expect((failing as WorkbenchError).message).toContain('line 123458');
    const target = { kind: 'folder' as const, path: await outDir() };
    const report = await convertCsvFiles(conn, req({ inputs: [input], target, columns, onBadRows: 'skip' }), {});
    expect(report).toMatchObject({ rows: 499_998, rejected: 2 });
    expect(report.rejects.map((r) => r.line)).toEqual([123_458, 456_791]);
  });

  it('reads lines up to DuckDB’s longest (2 MB) where they cross the reader’s buffers', async () => {
    // Six lines of 1.9 MB between short ones: 11 MB of CSV, so several lines span the 4 MiB buffers' ends.
    const long = (i: number): string => String.fromCharCode(97 + i).repeat(1_900_000);
    const lines = ['id,note'];
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 1000; j++) lines.push(`${i * 1001 + j},short ${j}`);
      lines.push(`${i * 1001 + 1000},${long(i)}`);
    }
    const input = await write('long-lines.csv', `${lines.join('\n')}\n`);
    const out = await outDir();
    const report = await convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {});
    expect(report).toMatchObject({ rows: 6006, rejected: 0 });
    const rows = await readParquet(join(out, 'long-lines.parquet'));
    const longOnes = rows.filter((r) => String(r.note).length > 100);
    expect(longOnes.map((r) => Number(r.id))).toEqual([1000, 2001, 3002, 4003, 5004, 6005]);
    expect(longOnes.every((r, i) => r.note === long(i))).toBe(true);
  });
  it('fails on ragged rows by default, naming file and line, and writes nothing', async () => {
    const input = await write('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n');
    const out = await outDir();
    const err = await convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as WorkbenchError).code).toBe('BAD_INPUT');
    expect((err as WorkbenchError).message).toContain('ragged.csv, line 3');
    expect(await readdir(out)).toEqual([]);
  });

  it('skips bad rows when asked and reports each with line and reason', async () => {
    const input = await write('bad.csv', 'id,v\n1,1.5\n2,oops\n3,3.5\n4\n');
    const out = await outDir();
    const report = await convertCsvFiles(
      conn,
      req({ inputs: [input], target: { kind: 'folder', path: out }, columns: [{ source: 'v', type: 'DOUBLE' }], onBadRows: 'skip' }),
      {},
    );
    expect(report.rows).toBe(2);
    expect(report.rejected).toBe(2);
    expect(report.rowsIn).toBe(4);
    expect(report.rejects.map((r) => r.line)).toEqual([3, 5]);
    expect(report.rejects[0].reason).toMatch(/oops/);
    const rows = await readParquet(join(out, 'bad.parquet'));
    expect(rows.map((r) => r.v)).toEqual([1.5, 3.5]);
  });

  it('rejects invalid UTF-8 as a bad row', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,ok\n2,'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n3,fine\n')]);
    const input = await write('latin.csv', bytes);
    const out = await outDir();
    const err = await convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {}).catch((e: unknown) => e);
    expect((err as WorkbenchError).code).toBe('BAD_INPUT');
    expect((err as WorkbenchError).message).toMatch(/latin\.csv, line 3/);
    expect(await readdir(out)).toEqual([]);
  });

  it('reads gzip and TSV, renames and retypes columns', async () => {
    const tsv = 'ts\tvoltage\tjar\n2024-03-01 10:00:00\t2.251\tA1\n2024-03-02 11:00:00\t2.249\tA2\n';
    const input = await write('readings.tsv.gz', gzipSync(Buffer.from(tsv)));
    const preview = await previewCsv(conn, (await listInputs([input]))[0], {}, 10);
    expect(preview.delimiter).toBe('\t');
    expect(preview.columns.map((c) => c.name)).toEqual(['ts', 'voltage', 'jar']);
    const out = await outDir();
    const report = await convertCsvFiles(
      conn,
      req({
        inputs: [input],
        target: { kind: 'folder', path: out },
        columns: [
          { source: 'voltage', name: 'voltage_v', type: 'DECIMAL(6,3)' },
          { source: 'jar', name: 'jar_label' },
        ],
        codec: 'snappy',
      }),
      {},
    );
    expect(report.rows).toBe(2);
    const rows = await readParquet(join(out, 'readings.parquet'));
    expect(Object.keys(rows[0])).toEqual(['ts', 'voltage_v', 'jar_label']);
    expect(rows[1].jar_label).toBe('A2');
    expect(Number(rows[0].voltage_v)).toBeCloseTo(2.251, 6);
  });

  it('partitions a lake dataset by UTC day, with a manifest, and the dataset becomes the view cold.readings', async () => {
    const ws = await outDir();
    const lake = join(ws, 'lake');
    const input = await write('days.csv', 'ts,v\n2024-01-01 23:00:00,1\n2024-01-02 00:30:00,2\n2024-01-02 12:00:00,3\n');
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    let report: Awaited<ReturnType<typeof convertCsvFiles>>;
    try {
      const wconn = await wb.engine.connect();
      try {
        report = await convertCsvFiles(
          wconn,
          req({ inputs: [input], target: { kind: 'lake', dataset: 'readings' }, partitionByDay: 'ts' }),
          {
            lake: { lake: wb.data.lake, intents: new LakeIntents(wconn), commitViews: (s, d) => wb.data.commitViews(s, d) },
          },
        );
        expect(await queryNumber(wconn, 'SELECT count(*) FROM cold.readings')).toBe(3);
        expect(
          (await wconn.runAndReadAll('SELECT column_name FROM (DESCRIBE cold.readings)')).getRowsJS().map((r) => String(r[0])),
        ).toEqual(['ts', 'v']);
      } finally {
        wconn.closeSync();
      }
    } finally {
      await wb.close();
    }
    const manifests = await readdir(join(lake, '_manifests', 'readings'));
    expect(manifests).toHaveLength(1);
    expect(report.rows).toBe(3);
    const parts = (await readdir(join(lake, 'readings'))).sort();
    expect(parts).toEqual(['date=2024-01-01', 'date=2024-01-02']);
    const day2 = await readdir(join(lake, 'readings', 'date=2024-01-02'));
    expect(day2).toHaveLength(1);
    expect((await readParquet(join(lake, 'readings', 'date=2024-01-02', day2[0]))).length).toBe(2);
    await expectNoTemps(lake);
  });

  it('refuses an empty file with a clear message', async () => {
    const input = await write('empty.csv', '');
    const out = await outDir();
    await expect(convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {})).rejects.toThrow(
      /empty\.csv is empty/,
    );
  });

  it('never overwrites an existing file', async () => {
    const out = await outDir();
    await writeFile(join(out, 'keep.parquet'), 'not mine');
    const input = await write('keep.csv', 'a\n1\n');
    const err = await convertCsvFiles(conn, req({ inputs: [input], target: { kind: 'folder', path: out } }), {}).catch((e: unknown) => e);
    expect((err as WorkbenchError).code).toBe('CONFLICT');
    expect((await readdir(out)).sort()).toEqual(['keep.parquet']);
  });

  it('a cancelled conversion leaves no file behind', async () => {
    const big = join(dir, 'big.csv');
    await conn.run(`COPY (SELECT i AS id, i * 0.001 AS v, 'row ' || i AS s FROM range(6000000) t(i)) TO '${big}' (HEADER)`);
    const out = await outDir();
    const ac = new AbortController();
    const p = convertCsvFiles(conn, req({ inputs: [big], target: { kind: 'folder', path: out } }), {
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 300);
    const err = await p.catch((e: unknown) => e);
    expect((err as WorkbenchError).code).toBe('CANCELLED');
    expect(await readdir(out)).toEqual([]);
  });

  it('converts a 1 GB file with progress, and a second reader sees every row', async () => {
    const big = join(dir, 'one-gb.csv');
    // ~24M telemetry-like rows, a little over 1 GB of CSV.
    await conn.run(
      `COPY (SELECT i % 2376 + 1 AS battery_id, TIMESTAMP '2024-01-01' + to_minutes(5 * (i // 2376)) AS ts,
                    round(2.2 + (i % 97) / 1000.0, 3) AS voltage_v, round(20 + (i % 131) / 10.0, 1) AS temperature_c,
                    'site-' || (i % 9) AS site
             FROM range(24000000) t(i)) TO '${big}' (HEADER)`,
    );
    const bytes = (await stat(big)).size;
    expect(bytes).toBeGreaterThan(1_000_000_000);
    const out = await outDir();
    const fractions: number[] = [];
    const report = await convertCsvFiles(conn, req({ inputs: [big], target: { kind: 'folder', path: out } }), {
      onProgress: (p) => {
        if (p.fraction !== null) fractions.push(p.fraction);
      },
    });
    await rm(big);
    expect(report.rows).toBe(24_000_000);
    expect(report.inputBytes).toBe(bytes);
    expect(fractions.some((f) => f > 0 && f < 1)).toBe(true);
    const file = await asyncBufferFromFile(join(out, 'one-gb.parquet'));
    const meta = await parquetMetadataAsync(file);
    expect(Number(meta.num_rows)).toBe(24_000_000);
    const last = await parquetReadObjects({ file, compressors, rowStart: 23_999_999, rowEnd: 24_000_000 });
    expect(Number(last[0].battery_id)).toBe((23_999_999 % 2376) + 1);
    expect(last[0].site).toBe(`site-${23_999_999 % 9}`);
    await expectNoTemps(out);
  }, 600_000);
});
