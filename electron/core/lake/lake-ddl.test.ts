import { DuckDBInstance } from '@duckdb/node-api';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSpec, lakeDatasets } from '../../../shared/domain/datasets';
import { qualifiedName } from '../../../shared/sql';
import { demoWorkspace, ROOT, runCli, withTestWorkbench } from '../testing/cli-process.fixture';
import { DDL_ENGINES, lakeDdl, lakeDdlScript, type LakeDdl } from './lake-ddl';

/** Golden DDL per engine for a fixed lake; regenerate with `BW_UPDATE_GOLDEN=1 npx vitest run electron/core/lake/lake-ddl.test.ts`. */
const GOLDEN_DIR = join(ROOT, 'electron/cli/golden');
const GOLDEN_LAKES = {
  trino: { kind: 'local', path: '/data/lake' },
  spark: { kind: 'local', path: '/data/lake' },
  athena: { kind: 's3', bucket: 'fleet-lake', prefix: 'prod/lake/' },
} as const;

describe('lake ddl: the text per engine', () => {
  for (const [engine, lake] of Object.entries(GOLDEN_LAKES) as [
    keyof typeof GOLDEN_LAKES,
    (typeof GOLDEN_LAKES)[keyof typeof GOLDEN_LAKES],
  ][]) {
    it(`${engine} matches its golden file exactly`, async () => {
      const text = lakeDdlScript(lakeDdl({ engine, lake }));
      const file = join(GOLDEN_DIR, `lake-ddl.${engine}.sql`);
      if (process.env.BW_UPDATE_GOLDEN === '1') await writeFile(file, text);
      expect(text).toBe(await readFile(file, 'utf8'));
    });
  }

  it('covers every partitioned registry dataset, every column typed, the date partition last', () => {
    for (const engine of DDL_ENGINES) {
      const ddl = lakeDdl({ engine, lake: { kind: 's3', bucket: 'b-1', prefix: '' } });
      expect(ddl.datasets.map((d) => d.name)).toEqual(lakeDatasets().map((d) => d.name));
      for (const { name, ddl: text } of ddl.datasets) {
        for (const c of datasetSpec(name)!.columns) expect(text).toContain(c.name);
        expect(text).toMatch(/date/);
      }
    }
    // Decimals keep precision and scale; timestamps are instants where the engine has them.
    const trino = lakeDdl({ engine: 'trino', lake: { kind: 'local', path: '/l' } }).datasets[0].ddl;
    expect(trino).toContain('"voltage_v" DECIMAL(6,3)');
    expect(trino).toContain('"ts" TIMESTAMP(6)');
    expect(lakeDdl({ engine: 'duckdb', lake: { kind: 'local', path: '/l' } }).datasets[0].ddl).toContain('AS TIMESTAMPTZ) AS "ts"');
  });

  it('an S3 lake gives s3:// locations for every engine', () => {
    for (const engine of DDL_ENGINES) {
      const ddl = lakeDdl({
        engine,
        lake: { kind: 's3', bucket: 'fleet-lake', prefix: 'a/b/' },
        files: new Map([['telemetry', ['s3://fleet-lake/a/b/telemetry/date=2024-03-01/part-x.parquet']]]),
      });
      expect(ddl.location).toBe('s3://fleet-lake/a/b/');
      expect(ddl.datasets[0].ddl).toContain('s3://fleet-lake/a/b/telemetry/');
      expect(ddl.datasets.map((d) => d.ddl).join('\n')).not.toContain('file:');
    }
  });

  it("quotes names and locations by each engine's rules (a hostile schema name stays one identifier)", () => {
    const schema = 'x"`; DROP TABLE y; --';
    const lake = { kind: 'local', path: "/data/it's\\lake" } as const;
    expect(lakeDdl({ engine: 'trino', lake, schema }).setup).toBe('CREATE SCHEMA IF NOT EXISTS "x""`; DROP TABLE y; --";');
    expect(lakeDdl({ engine: 'spark', lake, schema }).setup).toBe('CREATE DATABASE IF NOT EXISTS `x"``; DROP TABLE y; --`;');
    // A local path as a file: URI is percent-encoded; an S3 prefix with a quote is escaped the Hive way.
    expect(lakeDdl({ engine: 'spark', lake }).datasets[0].ddl).toContain(
      "LOCATION 'file:///data/it's%5Clake/telemetry/'".replace("it's", "it\\'s"),
    );
    expect(lakeDdl({ engine: 'athena', lake: { kind: 's3', bucket: 'b-1', prefix: "it's/" } }).datasets[0].ddl).toContain(
      "LOCATION 's3://b-1/it\\'s/telemetry/'",
    );
    expect(() => lakeDdl({ engine: 'athena', lake })).toThrow(/Athena reads only S3/);
  });
});

describe('battery-workbench lake ddl on a real demo lake', () => {
  const made: string[] = [];
  let ws = '';
  beforeAll(async () => {
    ws = await demoWorkspace(made, 1, 2);
  }, 600_000);
  afterAll(async () => {
    for (const d of made) await rm(d, { recursive: true, force: true });
  });

  it('the duckdb DDL, executed, shows exactly the cold tier of every dataset (a file no manifest lists is not read)', async () => {
    const cold = await withTestWorkbench(ws, async (_wb, conn) => {
      const out: Record<string, number> = {};
      for (const { name } of lakeDatasets()) {
        const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${qualifiedName('main', name)} WHERE tier = 'cold'`);
        out[name] = Number(r.getRowObjectsJS()[0].n);
      }
      return out;
    });
    expect(cold.telemetry).toBeGreaterThan(0);

    // Then a published file without its manifest (what a killed job leaves until the next run undoes it): the same
    // rows again. The workbench's own views would read it (`lake check` reports it as unlisted); the DDL does not.
    const first = await withTestWorkbench(ws, async (wb) => (await wb.data.lake.list('telemetry'))[0]);
    expect(first).toBeDefined();
    const lakeRoot = join(ws, 'lake');
    const stray = join(lakeRoot, dirname(first.key), 'part-stray-copy.parquet');
    await copyFile(join(lakeRoot, first.key), stray);

    const run = await runCli(['lake', 'ddl', '--engine', 'duckdb', '--json', '--workspace', ws]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ddl = JSON.parse(run.stdout) as LakeDdl;
    expect(ddl.engine).toBe('duckdb');
    expect(ddl.datasets.map((d) => d.name)).toEqual(lakeDatasets().map((d) => d.name));
    expect(run.stdout).not.toContain('part-stray-copy');

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await conn.run(ddl.setup);
      for (const d of ddl.datasets) await conn.run(d.ddl);
      const got: Record<string, number> = {};
      for (const { name } of ddl.datasets) {
        const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${qualifiedName('battery_workbench', name)}`);
        got[name] = Number(r.getRowObjectsJS()[0].n);
      }
      expect(got).toEqual(cold);
      // The partition column is the file's day, typed DATE, and agrees with the partition column of every row.
      const r = await conn.runAndReadAll(
        `SELECT typeof(any_value("date")) AS t, count(*) FILTER (WHERE "date" <> CAST(timezone('UTC', ts) AS DATE))::BIGINT AS off FROM battery_workbench.telemetry`,
      );
      expect(r.getRowObjectsJS()[0]).toEqual({ t: 'DATE', off: 0n });
    } finally {
      conn.closeSync();
      db.closeSync();
    }

    // The text form runs as one script too.
    const text = await runCli(['lake', 'ddl', '--engine', 'duckdb', '--workspace', ws]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^-- battery-workbench lake ddl --engine duckdb/);
  }, 300_000);

  it('bad usage: an unknown engine exits 2 listing the engines; Athena on a folder lake exits 1 saying it needs S3', async () => {
    const bad = await runCli(['lake', 'ddl', '--engine', 'oracle', '--workspace', ws]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('lake ddl needs --engine trino|spark|athena|duckdb, not "oracle"');
    expect(bad.stdout).toBe('');
    const none = await runCli(['lake', 'ddl', '--workspace', ws]);
    expect(none.code).toBe(2);
    const athena = await runCli(['lake', 'ddl', '--engine', 'athena', '--workspace', ws]);
    expect(athena.code).toBe(1);
    expect(athena.stderr).toContain('Athena reads only S3');
    const wrongSub = await runCli(['lake', 'status', '--engine', 'trino', '--workspace', ws]);
    expect(wrongSub.code).toBe(2);
    expect(wrongSub.stderr).toContain('--engine belongs to lake ddl');
  }, 120_000);

  it('--lake s3://… gives s3:// locations without contacting S3 (trino)', async () => {
    const r = await runCli(['lake', 'ddl', '--engine', 'trino', '--json', '--workspace', ws, '--lake', 's3://fleet-lake/prod']);
    expect(r.code).toBe(0);
    const ddl = JSON.parse(r.stdout) as LakeDdl;
    expect(ddl.location).toBe('s3://fleet-lake/prod/');
    expect(ddl.datasets[0].ddl).toContain("external_location = 's3://fleet-lake/prod/telemetry/'");
  }, 120_000);
});
