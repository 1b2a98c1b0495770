import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvertRequest, type ConvertRequestInput, type QualityWarning } from '../../../shared/api/convert';
import { WorkbenchError } from '../../../shared/api/errors';
import { LakeIntents } from '../lake/intents';
import { openWorkbench } from '../workbench';
import { convertCsvFiles } from './convert';
import { checkReadings } from './quality';

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bw-quality-'));
  instance = await DuckDBInstance.create(':memory:');
  conn = await instance.connect();
});
afterAll(async () => {
  conn.closeSync();
  instance.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, content: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}

async function convert(
  c: DuckDBConnection,
  inputs: string[],
  extra: Partial<ConvertRequestInput> = {},
): Promise<{ out: string; warnings: QualityWarning[] }> {
  const out = await mkdtemp(join(dir, 'out-'));
  const report = await convertCsvFiles(c, ConvertRequest.parse({ inputs, target: { kind: 'folder', path: out }, ...extra }), {});
  return { out, warnings: report.warnings ?? [] };
}

function byCheck(warnings: QualityWarning[]): Record<string, { count: number; keys?: number }> {
  return Object.fromEntries(warnings.map((w) => [w.check, w.keys === undefined ? { count: w.count } : { count: w.count, keys: w.keys }]));
}

const TELEMETRY_HEADER = 'battery_id,ts,voltage_v,temperature_c,resistance_mohm\n';

describe('quality checks on conversion', () => {
  it('finds time going backwards, duplicates, out-of-range values and unit mistakes, with exact counts', async () => {
    const csv = await write(
      'tel.csv',
      TELEMETRY_HEADER +
        '1,2024-05-01 00:00:00,13.5,25.0,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,25.0,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,25.0,3.2\n' + // duplicate of the row before
        '1,2024-05-01 00:02:00,13.5,95.0,3.2\n' + // back in time, too hot
        '2,2024-05-01 00:00:00,13600,25.0,0.0032\n' + // mV and Ohm
        '2,2024-05-01 00:05:00,13610,-45.0,0.0033\n', // mV and Ohm, too cold
    );
    const { warnings } = await convert(conn, [csv]);
    expect(byCheck(warnings)).toEqual({
      time_backwards: { count: 1 },
      time_duplicate: { count: 1 },
      voltage_range: { count: 2 },
      temperature_range: { count: 2 },
      unit_voltage: { count: 2, keys: 1 },
      unit_resistance: { count: 2, keys: 1 },
    });
    const w = (check: string): QualityWarning => warnings.find((x) => x.check === check) as QualityWarning;
    expect(w('time_backwards').examples).toEqual(['row 4: battery_id 1 at 2024-05-01 00:02:00 after 2024-05-01 00:05:00']);
    expect(w('time_duplicate').examples).toEqual(['row 3: battery_id 1 at 2024-05-01 00:05:00']);
    expect(w('temperature_range').examples).toEqual([
      'row 4: battery_id 1 at 2024-05-01 00:02:00: 95.0 degC',
      'row 6: battery_id 2 at 2024-05-01 00:05:00: -45.0 degC',
    ]);
    expect(w('unit_voltage').examples).toEqual(['battery_id 2: median 13605.0 V']);
    expect(w('unit_voltage').message).toMatch(/probably mV/);
    expect(w('unit_resistance').message).toMatch(/probably Ohm/);
    expect(warnings.every((x) => x.file === csv)).toBe(true);
  });

  it('counts a repeated time wherever it comes: next to the first, or later once time went backwards', async () => {
    const inOrder = await write(
      'dup-in-order.csv',
      TELEMETRY_HEADER + '1,2024-05-01 00:00:00,13.5,25,3.2\n1,2024-05-01 00:05:00,13.5,25,3.2\n1,2024-05-01 00:05:00,13.5,25,3.2\n',
    );
    expect(byCheck((await convert(conn, [inOrder])).warnings)).toEqual({ time_duplicate: { count: 1 } });
    const mixed = await write(
      'dup-mixed.csv',
      TELEMETRY_HEADER +
        '1,2024-05-01 00:00:00,13.5,25,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,25,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,25,3.2\n' + // repeats the row before
        '2,2024-05-01 00:00:00,13.5,25,3.2\n' +
        '2,2024-05-01 00:10:00,13.5,25,3.2\n' +
        '2,2024-05-01 00:05:00,13.5,25,3.2\n' + // back in time
        '2,2024-05-01 00:10:00,13.5,25,3.2\n', // repeats row 5, not the row before
    );
    const { warnings } = await convert(conn, [mixed]);
    expect(byCheck(warnings)).toEqual({ time_backwards: { count: 1 }, time_duplicate: { count: 2 } });
    expect(warnings.find((w) => w.check === 'time_duplicate')?.examples).toEqual([
      'row 3: battery_id 1 at 2024-05-01 00:05:00',
      'row 7: battery_id 2 at 2024-05-01 00:10:00',
    ]);
  });

  it('checks the units a share at a time with the same counts and the same first examples, in row order', async () => {
    // 40 jars x 30 readings in time order; problems in several jars, so several shares find some.
    const lines: string[] = [];
    for (let step = 0; step < 30; step++)
      for (let jar = 1; jar <= 40; jar++) {
        const minute = jar % 7 === 0 && step === 20 ? (step - 3) * 5 : step * 5; // jars 7, 14, ...: one reading back in time
        const volts = jar % 9 === 0 ? 13_500 : jar % 5 === 0 && step % 10 === 0 ? 19 : 13.5; // mV jars; out-of-range readings
        const temp = jar % 11 === 0 && step === 3 ? 95 : 25;
        lines.push(
          `${jar},2024-05-01 ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00,${volts},${temp},3.2`,
        );
        if (jar % 13 === 0 && step === 8) lines.push(lines.at(-1) as string); // a repeated reading
      }
    const { out } = await convert(conn, [await write('shares.csv', TELEMETRY_HEADER + lines.join('\n') + '\n')]);
    const parquet = (await readdir(out)).map((f) => join(out, f));
    const columns = ['battery_id:BIGINT', 'ts:TIMESTAMP', 'voltage_v:DOUBLE', 'temperature_c:DOUBLE', 'resistance_mohm:DOUBLE'].map((c) => {
      const [name, type] = c.split(':');
      return { name, type };
    });
    const whole = await checkReadings(conn, { file: 'shares.csv', parquet, columns });
    const shared = await checkReadings(conn, { file: 'shares.csv', parquet, columns, shareRows: 100 });
    expect(Object.keys(byCheck(whole)).sort()).toEqual([
      'temperature_range',
      'time_backwards',
      'time_duplicate',
      'unit_voltage',
      'voltage_range',
    ]);
    expect(whole.find((w) => w.check === 'voltage_range')?.examples).toHaveLength(5);
    expect(shared).toEqual(whole);
  });

  it('flags a unit by its median: most of its readings, with the first five units in key order as examples', async () => {
    // Jars 2-8 and 10: 3 of 5 readings in mV (median in mV); jar 9: 2 of 5 (median in V); jar 1 clean.
    const lines: string[] = [];
    for (let step = 0; step < 5; step++)
      for (let jar = 1; jar <= 10; jar++) {
        const mv = jar !== 1 && step < (jar === 9 ? 2 : 3);
        lines.push(`${jar},2024-05-01 00:0${step}:00,${mv ? 13_500 + step : 13.5},25.0,3.2`);
      }
    const { warnings } = await convert(conn, [await write('majority.csv', TELEMETRY_HEADER + lines.join('\n') + '\n')]);
    const unit = warnings.filter((w) => w.check === 'unit_voltage');
    expect(unit.map((w) => [w.count, w.keys])).toEqual([[40, 8]]);
    expect(unit[0].examples).toEqual([2, 3, 4, 5, 6].map((jar) => `battery_id ${jar}: median 13500.0 V`));
  });

  it('names a unit whose key is empty among the examples, after the others', async () => {
    // Jar 2 and the readings without a jar: in mV; jar 1 clean.
    const lines: string[] = [];
    for (let step = 0; step < 5; step++)
      for (const jar of ['', '1', '2']) lines.push(`${jar},2024-05-01 00:0${step}:00,${jar === '1' ? 13.5 : 13_500},25.0,3.2`);
    const { warnings } = await convert(conn, [await write('empty-key.csv', TELEMETRY_HEADER + lines.join('\n') + '\n')]);
    const unit = warnings.filter((w) => w.check === 'unit_voltage');
    expect(unit.map((w) => [w.count, w.keys])).toEqual([[10, 2]]);
    expect(unit[0].examples).toEqual(['battery_id 2: median 13500.0 V', 'battery_id NULL: median 13500.0 V']);
  });

  it('names units whose keys are text, and flags a current when over 5 % of its readings are too high', async () => {
    // No models: the line is 20,000 A. String B: 2 of 20 readings above it (10 %); string C: 1 of 20 (5 %, not over).
    const lines: string[] = [];
    for (let step = 0; step < 20; step++)
      for (const [id, high] of [
        ['A', 0],
        ['B', 2],
        ['C', 1],
      ] as const)
        lines.push(`${id},2024-05-01 00:${String(step).padStart(2, '0')}:00,324.0,${step < high ? 300_000 : 5},22.0`);
    const csv = await write('text-keys.csv', 'string_id,ts,voltage_v,current_a,ambient_c\n' + lines.join('\n') + '\n');
    const { warnings } = await convert(conn, [csv]);
    expect(byCheck(warnings)).toEqual({ unit_current: { count: 20, keys: 1 } });
    expect(warnings[0].examples).toEqual(['string_id B: 2 of 20 readings of |current| over 20000.0 A, up to 300000.0 A']);
  });

  it('stays quiet on clean readings and on files that are not readings', async () => {
    const clean = await write('clean.csv', TELEMETRY_HEADER + '1,2024-05-01 00:00:00,13.5,25.0,3.2\n1,2024-05-01 00:05:00,13.6,25.1,3.2\n');
    const other = await write('other.csv', 'id,ts,voltage_v\n1,2024-05-01 00:00:00,99999\n1,2024-05-01 00:00:00,99999\n');
    expect((await convert(conn, [clean, other])).warnings).toEqual([]);
  });

  describe('with the fleet’s models known', () => {
    let inst: DuckDBInstance;
    let c: DuckDBConnection;
    beforeAll(async () => {
      inst = await DuckDBInstance.create(':memory:');
      c = await inst.connect();
      await c.run(
        `CREATE TABLE battery_model AS SELECT 1 AS model_id, 12.00::DECIMAL(5,2) AS nominal_voltage_v, 190.0::DECIMAL(7,1) AS capacity_ah, 6 AS cells, 3.20::DECIMAL(6,2) AS nominal_resistance_mohm;
         CREATE TABLE battery AS SELECT 1 AS battery_id, 1 AS string_id, 1 AS model_id;
         CREATE TABLE battery_string AS SELECT 1 AS string_id, 24 AS jar_count, 1 AS model_id`,
      );
    });
    afterAll(() => {
      c.closeSync();
      inst.closeSync();
    });

    it('checks voltage per cell by the model’s cell count, and the generic range where the model is unknown', async () => {
      const csv = await write(
        'cells.csv',
        TELEMETRY_HEADER +
          '1,2024-05-01 00:00:00,13.5,25.0,3.2\n' + // 2.25 V per cell
          '1,2024-05-01 00:05:00,9.0,25.0,3.2\n' + // 1.5 V per cell: low
          '1,2024-05-01 00:10:00,16.0,25.0,3.2\n' + // 2.67 V per cell: high, though inside the generic range
          '1,2024-05-01 00:15:00,12.0,25.0,3.2\n' +
          '3,2024-05-01 00:00:00,16.5,25.0,3.2\n' + // unknown model: above 16 V
          '3,2024-05-01 00:05:00,15.0,25.0,3.2\n',
      );
      const { warnings } = await convert(c, [csv]);
      expect(byCheck(warnings)).toEqual({ voltage_range: { count: 3 } });
      expect(warnings[0].examples[0]).toBe('row 2: battery_id 1 at 2024-05-01 00:05:00: 9.0 V (1.5 V per cell)');
    });

    it('finds a flipped current sign and a current in mA on string readings', async () => {
      const csv = await write(
        'strings.csv',
        'string_id,ts,voltage_v,current_a,ambient_c\n' +
          '1,2024-05-01 00:00:00,324.0,-0.3,22.0\n' +
          '1,2024-05-01 00:05:00,324.0,-0.3,22.0\n' +
          '1,2024-05-01 00:10:00,324.0,-0.3,22.0\n' +
          '1,2024-05-01 00:15:00,324.0,-0.3,22.0\n' +
          '1,2024-05-01 00:20:00,324.0,0.0,22.0\n' +
          '2,2024-05-01 00:00:00,324.0,300,22.0\n' +
          '2,2024-05-01 00:05:00,324.0,250,22.0\n' +
          '2,2024-05-01 00:10:00,324.0,20000,22.0\n' +
          '2,2024-05-01 00:15:00,324.0,400000,22.0\n',
      );
      const { warnings } = await convert(c, [csv]);
      expect(byCheck(warnings)).toEqual({ unit_current: { count: 4, keys: 1 }, current_sign: { count: 4, keys: 1 } });
      expect(warnings.find((w) => w.check === 'current_sign')?.examples).toEqual([
        'string_id 1: 4 of 4 non-zero current readings negative',
      ]);
    });
  });

  it('strict: a file with warnings fails with a clear message and nothing is written, not even the good files before it', async () => {
    const good = await write('a-good.csv', TELEMETRY_HEADER + '1,2024-05-01 00:00:00,13.5,25.0,3.2\n');
    const bad = await write('b-bad.csv', TELEMETRY_HEADER + '1,2024-05-01 00:00:00,13.5,25.0,3.2\n1,2024-05-01 00:00:00,13.5,25.0,3.2\n');
    const out = await mkdtemp(join(dir, 'strict-'));
    const err = await convertCsvFiles(
      conn,
      ConvertRequest.parse({ inputs: [good, bad], target: { kind: 'folder', path: out }, strict: true }),
      {},
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkbenchError);
    const e = err as WorkbenchError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain('b-bad.csv failed the quality checks (strict)');
    expect(e.message).toContain('1 reading(s) repeat a time');
    expect(e.message).toContain('Nothing was written.');
    expect(e.data?.warnings?.map((w) => [w.check, w.count])).toEqual([['time_duplicate', 1]]);
    expect(await readdir(out)).toEqual([]);
    // Without strict the same files convert, with the warning.
    const { out: out2, warnings } = await convert(conn, [good, bad]);
    expect(byCheck(warnings)).toEqual({ time_duplicate: { count: 1 } });
    expect((await readdir(out2)).sort()).toEqual(['a-good.parquet', 'b-bad.parquet']);
  });

  it('strict into the lake, partitioned by day: the batch is abandoned, no day folder, manifest or view appears', async () => {
    const ws = await mkdtemp(join(dir, 'ws-'));
    const csv = await write(
      'lake-bad.csv',
      TELEMETRY_HEADER + '1,2024-05-01 23:00:00,13.5,25.0,3.2\n1,2024-05-02 00:05:00,13.5,25.0,3.2\n1,2024-05-02 00:01:00,13.5,25.0,3.2\n',
    );
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const wconn = await wb.engine.connect();
      try {
        const lake = { lake: wb.data.lake, intents: new LakeIntents(wconn), commitViews: wb.data.commitViews.bind(wb.data) };
        const request = (strict: boolean): ConvertRequest =>
          ConvertRequest.parse({ inputs: [csv], target: { kind: 'lake', dataset: 'quality_lake' }, partitionByDay: 'ts', strict });
        await expect(convertCsvFiles(wconn, request(true), { lake })).rejects.toThrow(
          /failed the quality checks \(strict\).*go back in time/,
        );
        const views = await wconn.runAndReadAll(`SELECT count(*) FROM duckdb_views() WHERE view_name = 'quality_lake'`);
        expect(Number(views.getRowsJS()[0][0])).toBe(0);
        const lakeDir = join(ws, 'lake');
        const entries = (await readdir(lakeDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
        expect(entries.map((e) => join(e.parentPath, e.name)).filter((p) => p.includes('quality_lake'))).toEqual([]);
        // Without strict, the same file goes in with the warning (the backwards reading is within one day's file).
        const report = await convertCsvFiles(wconn, request(false), { lake });
        expect(report.rows).toBe(3);
        expect((report.warnings ?? []).map((w) => [w.check, w.count])).toEqual([['time_backwards', 1]]);
      } finally {
        wconn.closeSync();
      }
    } finally {
      await wb.close();
    }
  });
});
