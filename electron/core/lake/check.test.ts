// Over 400 lines on purpose: one suite over one shared demo workspace (built once, it takes the most time); each case
// breaks the lake in one way, checks what `lake check` says, and undoes it. Split, every file would build its own.
import type { DuckDBConnection } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvertReport } from '../../../shared/api/convert';
import type { JobSummary } from '../../../shared/api/jobs';
import type { LakeCheckReport, LakeProblem } from '../../../shared/api/storage';
import { qualifiedName, quoteLiteral } from '../../../shared/sql';
import { ConversionHistory } from '../convert/history';
import { queryNumber } from '../engine/duck-query';
import { TEMP_PREFIX, TEMP_SUFFIX } from '../files/atomic';
import { getTierState, hideFilesSql, unhideFilesSql } from '../mirror/meta';
import { demoWorkspace, lakeCheck, runCli, UNIFIED_VIEWS, withTestWorkbench } from '../testing/cli-process.fixture';
import type { Workbench } from '../workbench';
import { folderOfKey, partitionKey } from './lake';
import { sha256File, writeManifest, type ManifestFile } from './manifest';

/**
 * `lake check` against a small demo workspace (one cold day of telemetry, string_telemetry, environmental_telemetry
 * and maintenance_event in the lake, four hot days in the mirror). Each case breaks the lake in one way, runs the real CLI and puts the
 * lake back as it was, so the cases share one workspace; the healthy case runs first and last.
 */
const made: string[] = [];
let ws: string;
/** The demo's lake files by dataset, as their manifests record them. */
const demo = new Map<string, ManifestFile & { batchId: string }>();
/** Every file the demo's manifests name (the feature sets' days as well). */
const demoFiles: ManifestFile[] = [];
const demoRows = (): number => demoFiles.reduce((a, f) => a + f.rows, 0);

beforeAll(async () => {
  ws = await demoWorkspace(made);
  await withWorkbench(async (wb) => {
    for (const { manifest } of await wb.data.lake.manifests())
      for (const f of manifest.files) {
        demo.set(manifest.dataset, { ...f, batchId: manifest.batchId });
        demoFiles.push(f);
      }
  });
  expect([...demo.keys()].sort()).toEqual([
    'calc_telemetry',
    'environmental_telemetry',
    'features',
    'maintenance_event',
    'string_telemetry',
    'telemetry',
  ]);
}, 180_000);

const withWorkbench = <T>(fn: (wb: Workbench, conn: DuckDBConnection) => Promise<T>): Promise<T> => withTestWorkbench(ws, fn);

afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

function demoFile(dataset: string): ManifestFile & { batchId: string } {
  const f = demo.get(dataset);
  if (!f) throw new Error(`the demo wrote no ${dataset} file`);
  return f;
}

/** The local file of a lake key (the workspace's lake is a local folder). */
function pathOf(key: string): string {
  return join(ws, 'lake', ...key.split('/'));
}

/** The same check in this process (to look at the lake between CLI runs without paying for a CLI start). */
async function checkHere(wb: Workbench, repair = false): Promise<LakeCheckReport> {
  const started = await wb.dispatch('storage.checkLake', { repair }, { transport: 'test' });
  if (!started.ok) throw new Error(started.error.message);
  const summary = (await wb.jobs.wait((started.value as { jobId: string }).jobId)) as JobSummary;
  expect(summary.state, JSON.stringify(summary.error)).toBe('done');
  return summary.report as LakeCheckReport;
}

/** Count and content hash of every unified view (and of extra relations): what a user sees. */
async function visible(conn: DuckDBConnection, extra: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of [...UNIFIED_VIEWS.map((v) => qualifiedName('main', v)), ...extra]) {
    const r = await conn.runAndReadAll(`SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)), 0)::VARCHAR AS d FROM ${rel} t`);
    out[rel] = String(r.getRowObjectsJS()[0].d);
  }
  return out;
}

/** A pid no process can have: above the kernel's pid_max (elsewhere, a child that has exited and been reaped). */
async function deadPid(): Promise<number> {
  const max = Number((await readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => '')).trim());
  if (Number.isInteger(max) && max > 0) return max + 1;
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

function tempKey(folder: string, pid: number, tag: string): string {
  return `${folder}/${TEMP_PREFIX}${pid}-${tag}-part-${tag}.parquet${TEMP_SUFFIX}`;
}

/** The report must name exactly these problems (any order), each with a detail matching its pattern. */
function expectProblems(
  r: LakeCheckReport & { exitCode: number | null },
  expected: (Omit<LakeProblem, 'detail'> & { detail: RegExp })[],
): void {
  const order = (a: { path: string; kind: string }, b: { path: string; kind: string }): number =>
    a.path + a.kind < b.path + b.kind ? -1 : 1;
  expect([...r.problems].sort(order)).toEqual(
    [...expected]
      .sort(order)
      .map((p) => ({ kind: p.kind, dataset: p.dataset, path: p.path, detail: expect.stringMatching(p.detail) as unknown as string })),
  );
  expect(r.ok).toBe(false);
  expect(r.exitCode).toBe(1);
}

/** Publish `source` (a local Parquet file) under `key` the way writers do: staged, published, recorded in a manifest. */
async function publishCopy(wb: Workbench, conn: DuckDBConnection, source: string, key: string, batchId: string): Promise<void> {
  const lake = wb.data.lake;
  const staged = await lake.stage(key);
  await copyFile(source, staged.path);
  const rows = await queryNumber(conn, `SELECT num_rows FROM parquet_file_metadata(${quoteLiteral(staged.path)})`);
  const sha256 = await sha256File(staged.path);
  const file = await lake.publish(staged);
  await writeManifest(lake, {
    batchId,
    dataset: key.split('/')[0],
    source: 'test',
    writtenAt: new Date().toISOString(),
    rows,
    files: [{ key, rows, bytes: file.size, sha256, minTime: null, maxTime: null }],
  });
}

describe('lake check', () => {
  it('finds a healthy demo workspace healthy (exit 0) and counts exactly the files, rows and bytes the lake holds', async () => {
    const r = await lakeCheck(ws);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r).toMatchObject({ ok: true, problems: [], repaired: [], dataset: null, location: join(ws, 'lake') });
    // Counted independently: every Parquet file under the lake, by DuckDB's footer reader.
    const held = await withWorkbench(async (_wb, conn) => {
      const glob = quoteLiteral(join(ws, 'lake', '**', '*.parquet'));
      const row = (
        await conn.runAndReadAll(
          `SELECT count(*)::BIGINT AS files, sum(num_rows)::BIGINT AS rows, sum(file_size_bytes)::BIGINT AS bytes FROM parquet_file_metadata(${glob})`,
        )
      ).getRowObjectsJS()[0];
      return { files: Number(row.files), rows: Number(row.rows), bytes: Number(row.bytes) };
    });
    // The demo's four datasets, the calculated metrics of its cold day, and the days of its two feature sets.
    expect(held.files).toBe(demoFiles.length);
    expect(held.files).toBeGreaterThan(5);
    expect(held.rows).toBe(demoRows());
    expect({ files: r.files, rows: r.rows, bytes: r.bytes }).toEqual(held);
  });

  it('missing-file: a file a manifest names is gone', async () => {
    const f = demoFile('telemetry');
    const aside = join(ws, 'aside.parquet');
    await rename(pathOf(f.key), aside);
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        {
          kind: 'missing-file',
          dataset: 'telemetry',
          path: f.key,
          detail: new RegExp(`manifest ${f.batchId} names it \\(${f.rows} rows\\) but the file is absent`),
        },
      ]);
      // Only the files that are there are counted.
      expect(r.files).toBe(demoFiles.length - 1);
      expect(r.rows).toBe(demoRows() - f.rows);
    } finally {
      await rename(aside, pathOf(f.key));
    }
  });

  it('checksum-mismatch: one byte changed, and a file replaced by another valid Parquet file with fewer rows', async () => {
    const flipped = demoFile('string_telemetry');
    const replaced = demoFile('maintenance_event');
    const original = { flipped: await readFile(pathOf(flipped.key)), replaced: await readFile(pathOf(replaced.key)) };
    const other = join(ws, 'one-row.parquet');
    await withWorkbench(async (_wb, conn) => {
      await conn.run(
        `COPY (SELECT * FROM read_parquet(${quoteLiteral(pathOf(replaced.key))}) LIMIT 1) TO ${quoteLiteral(other)} (FORMAT parquet)`,
      );
    });
    try {
      const bytes = Buffer.from(original.flipped);
      bytes[bytes.length >> 1] ^= 0x01;
      await writeFile(pathOf(flipped.key), bytes);
      await copyFile(other, pathOf(replaced.key));
      const r = await lakeCheck(ws);
      expectProblems(r, [
        {
          kind: 'checksum-mismatch',
          dataset: 'string_telemetry',
          path: flipped.key,
          detail: new RegExp(`^sha256 [0-9a-f]{64} but manifest ${flipped.batchId} recorded ${flipped.sha256}`),
        },
        {
          kind: 'checksum-mismatch',
          dataset: 'maintenance_event',
          path: replaced.key,
          detail: new RegExp(`^sha256 ${await sha256File(other)} but manifest ${replaced.batchId} recorded ${replaced.sha256}`),
        },
      ]);
      // Counted as they are now: the replaced file holds one row.
      expect(r.rows).toBe(demoRows() - replaced.rows + 1);
    } finally {
      await writeFile(pathOf(flipped.key), original.flipped);
      await writeFile(pathOf(replaced.key), original.replaced);
    }
  });

  it('unlisted-file: a Parquet file no manifest names, except a conversion output recorded in history before conversions wrote manifests', async () => {
    const tel = demoFile('telemetry');
    const unlisted = partitionKey('telemetry', '2001-01-01', 'dropped-in');
    const legacy = 'imported/part-legacy.parquet';
    const legacyNew = 'imported/part-not-in-history.parquet';
    await mkdir(join(ws, 'lake', 'telemetry', 'date=2001-01-01'), { recursive: true });
    await mkdir(join(ws, 'lake', 'imported'), { recursive: true });
    for (const k of [unlisted, legacy, legacyNew]) await copyFile(pathOf(tel.key), pathOf(k));
    await withWorkbench(async (wb, conn) => {
      const history = new ConversionHistory(conn);
      const report: ConvertReport = {
        rows: tel.rows,
        rowsIn: tel.rows,
        rejected: 0,
        inputBytes: 1_000_000,
        outputBytes: tel.bytes,
        ratio: 1_000_000 / tel.bytes,
        elapsedMs: 1,
        codec: 'zstd',
        target: { kind: 'lake', dataset: 'imported' },
        files: [
          {
            input: '/old/export.csv',
            outputs: [wb.data.lake.localPath(legacy)],
            rowsIn: tel.rows,
            rowsWritten: tel.rows,
            rejected: 0,
            inputBytes: 1_000_000,
            outputBytes: tel.bytes,
          },
        ],
        rejects: [],
      };
      await history.record(new Date('2024-01-01T00:00:00Z'), report, null);
    });
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        { kind: 'unlisted-file', dataset: 'telemetry', path: unlisted, detail: new RegExp(`^${tel.bytes} bytes; no manifest names it`) },
        { kind: 'unlisted-file', dataset: 'imported', path: legacyNew, detail: /no manifest names it/ },
      ]);
      // The files the manifests name are the only ones counted.
      expect(r.files).toBe(demoFiles.length);
    } finally {
      await rm(join(ws, 'lake', 'telemetry', 'date=2001-01-01'), { recursive: true, force: true });
      await rm(join(ws, 'lake', 'imported'), { recursive: true, force: true });
    }
  });

  it('a Parquet file copied by hand into a partition of a dataset with manifests is never read by the views; lake check reports it', async () => {
    const tel = demoFile('telemetry');
    const before = await withWorkbench((_wb, conn) => visible(conn));
    const stray = `${folderOfKey(tel.key)}/part-copied-by-hand.parquet`;
    await copyFile(pathOf(tel.key), pathOf(stray));
    try {
      // Opened again (the views are made at open) and after a refresh of every view.
      const after = await withWorkbench(async (wb, conn) => {
        const opened = await visible(conn);
        await wb.data.refresh();
        return { opened, refreshed: await visible(conn) };
      });
      expect(after).toEqual({ opened: before, refreshed: before });
      const r = await lakeCheck(ws);
      expectProblems(r, [
        { kind: 'unlisted-file', dataset: 'telemetry', path: stray, detail: new RegExp(`^${tel.bytes} bytes; no manifest names it`) },
      ]);
    } finally {
      await rm(pathOf(stray), { force: true });
    }
  });

  it('overlap: a day folder with two visible files sharing keys', async () => {
    const tel = demoFile('telemetry');
    const copy = `${folderOfKey(tel.key)}/part-copy.parquet`;
    await withWorkbench((wb, conn) => publishCopy(wb, conn, pathOf(tel.key), copy, 'test-copy'));
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        {
          kind: 'overlap',
          dataset: 'telemetry',
          path: folderOfKey(tel.key),
          detail: new RegExp(`^${tel.rows} key\\(s\\) of telemetry are in two or more of its 2 visible files`),
        },
      ]);
      expect(r.files).toBe(demoFiles.length + 1);
    } finally {
      await withWorkbench((wb) => wb.data.lake.withdraw('telemetry', [copy], 'test: undo the overlap'));
    }
  });

  it('outside-partition: a published file whose rows are not on the day of its date= folder (the month-bounded views would hide them)', async () => {
    const tel = demoFile('telemetry');
    // The same rows recorded under a day two months earlier: every row is outside its folder's day.
    const moved = partitionKey('telemetry', '2001-03-01', 'wrong-day');
    await withWorkbench((wb, conn) => publishCopy(wb, conn, pathOf(tel.key), moved, 'test-wrong-day'));
    try {
      const r = await lakeCheck(ws);
      expect(r.ok).toBe(false);
      // (The copy also shares every key with the original: an overlap, reported on its own.)
      expect(r.problems.filter((p) => p.kind === 'outside-partition')).toEqual([
        {
          kind: 'outside-partition',
          dataset: 'telemetry',
          path: moved,
          detail: expect.stringMatching(
            new RegExp(`^${tel.rows} row\\(s\\) fall outside the UTC day of their date= folder`),
          ) as unknown as string,
        },
      ]);
    } finally {
      await withWorkbench((wb) => wb.data.lake.withdraw('telemetry', [moved], 'test: undo the wrong day'));
    }
  });

  it("overlap: rows of an archived day imported again by a conversion into the dataset's top folder (two files in two folders)", async () => {
    const tel = demoFile('telemetry');
    const csv = join(ws, 'cold-day-again.csv');
    await withWorkbench((_wb, conn) =>
      conn.run(`COPY (SELECT * FROM cold.telemetry ORDER BY battery_id, ts LIMIT 5000) TO ${quoteLiteral(csv)} (FORMAT csv, HEADER true)`),
    );
    const converted = await runCli(['convert', csv, '--out', 'lake:telemetry', '--workspace', ws]);
    expect(converted.code, converted.stderr).toBe(0);
    const added = await withWorkbench(async (wb, conn) => {
      // The unified view shows those rows twice.
      expect(await queryNumber(conn, 'SELECT count(*) - count(DISTINCT (battery_id, ts)) FROM telemetry')).toBe(5000);
      return (await wb.data.lake.list('telemetry')).map((f) => f.key).filter((k) => k !== tel.key);
    });
    expect(added).toEqual([expect.stringMatching(/^telemetry\/part-cold-day-again-\w+\.parquet$/)]);
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        {
          kind: 'overlap',
          dataset: 'telemetry',
          path: 'telemetry',
          detail: /^5000 key\(s\) of telemetry are in two or more of its 2 visible files/,
        },
      ]);
    } finally {
      await withWorkbench((wb) => wb.data.lake.withdraw('telemetry', added, 'test: undo the overlap'));
      await rm(csv);
    }
  });

  it('overlap: a key visible from both the lake and the hot tier (a late hot row above the archived mark, below the split)', async () => {
    const ingestId = await withWorkbench(async (_wb, conn) => {
      const tier = (await getTierState(conn)).get('telemetry');
      expect(tier).toBeDefined();
      const id = Math.max(await queryNumber(conn, 'SELECT max(ingest_id) FROM hot.telemetry'), tier?.archivedIngest ?? 0) + 1;
      // A copy of one cold row's key (a different reading), as if it had arrived late and never been archived.
      await conn.run(
        `INSERT INTO hot.telemetry BY NAME SELECT * REPLACE (voltage_v + 0.5 AS voltage_v), ${id} AS ingest_id FROM cold.telemetry ORDER BY battery_id, ts LIMIT 1`,
      );
      expect(
        await queryNumber(
          conn,
          `SELECT count(*) FROM telemetry WHERE tier = 'hot' AND ts < CAST(${quoteLiteral(tier?.split ?? '')} AS TIMESTAMPTZ)`,
        ),
      ).toBe(1);
      return id;
    });
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        {
          kind: 'overlap',
          dataset: 'telemetry',
          path: 'telemetry',
          detail: /^1 row\(s\) of telemetry are visible from both the lake and the hot tier/,
        },
      ]);
    } finally {
      await withWorkbench((_wb, conn) => conn.run(`DELETE FROM hot.telemetry WHERE ingest_id = ${ingestId}`));
    }
  });

  it("stray-temp: a temp file of a writer that is gone, and a hidden file no job works on (a live writer's temp is left alone)", async () => {
    const tel = demoFile('telemetry');
    const hidden = demoFile('maintenance_event');
    const dead = tempKey(folderOfKey(tel.key), await deadPid(), 'dead0001');
    const live = tempKey(folderOfKey(tel.key), process.pid, 'live0001');
    await writeFile(pathOf(dead), 'half a parquet file');
    await writeFile(pathOf(live), 'a writer still at work');
    await withWorkbench((wb) => wb.data.commitViews(hideFilesSql([hidden.key]), []));
    try {
      const r = await lakeCheck(ws);
      expectProblems(r, [
        { kind: 'stray-temp', dataset: 'telemetry', path: dead, detail: /^a temp file \(19 bytes\) left by a writer that is gone/ },
        {
          kind: 'stray-temp',
          dataset: 'maintenance_event',
          path: hidden.key,
          detail: /^hidden from the views and no job is working on it/,
        },
      ]);
    } finally {
      await rm(pathOf(dead), { force: true });
      await rm(pathOf(live), { force: true });
      await withWorkbench((wb) => wb.data.commitViews(unhideFilesSql([hidden.key]), ['maintenance_event']));
    }
  });

  it('--repair does only what loses nothing: proven temps and hidden copies go, a temp holding the only copy of rows stays, a killed compaction is finished; nothing visible changes', async () => {
    const tel = demoFile('telemetry');
    const str = demoFile('string_telemetry');
    const mnt = demoFile('maintenance_event');
    const pid = await deadPid();
    const copyTemp = tempKey(folderOfKey(tel.key), pid, 'copy0001');
    const truncTemp = tempKey(folderOfKey(str.key), pid, 'trnc0001');
    const onlyTemp = tempKey(folderOfKey(tel.key), pid, 'only0001');
    const hiddenCopy = `${folderOfKey(mnt.key)}/part-hidden-copy.parquet`;
    // A dataset with two files in one day, for a compaction to be killed on.
    const before = await withWorkbench(async (wb, conn) => {
      for (const [tag, from] of [
        ['a', 0],
        ['b', 500],
      ] as const) {
        const scratch = join(ws, `imp-${tag}.parquet`);
        await conn.run(
          `COPY (SELECT i AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS ts, i * 0.5 AS v FROM range(${from}, ${from + 500}) t(i)) TO ${quoteLiteral(scratch)} (FORMAT parquet)`,
        );
        await publishCopy(wb, conn, scratch, partitionKey('imp', '2024-01-01', tag), `test-imp-${tag}`);
      }
      await wb.data.refresh();
      return visible(conn, ['cold.imp']);
    });
    expect(before['cold.imp']).toMatch(/^1000:/);
    const killed = await runCli(['lake', 'compact', '--dataset', 'imp', '--workspace', ws], { BW_KILL_AT: 'compact:cleanup' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');

    // What a killed job and a crash leave behind.
    await withWorkbench(async (wb, conn) => {
      await copyFile(pathOf(tel.key), pathOf(copyTemp));
      await writeFile(pathOf(truncTemp), (await readFile(pathOf(str.key))).subarray(0, 2000));
      await conn.run(
        `COPY (SELECT * REPLACE (voltage_v + 1 AS voltage_v) FROM read_parquet(${quoteLiteral(pathOf(tel.key))}, hive_partitioning = false) LIMIT 100) TO ${quoteLiteral(pathOf(onlyTemp))} (FORMAT parquet)`,
      );
      await publishCopy(wb, conn, pathOf(mnt.key), hiddenCopy, 'test-hidden-copy');
      await wb.data.commitViews(hideFilesSql([hiddenCopy]), ['maintenance_event']);
      expect(await visible(conn, ['cold.imp'])).toEqual(before);
      const found = await checkHere(wb);
      expect(found.problems.map((p) => `${p.kind} ${p.path}`).sort()).toEqual(
        [
          `stray-temp ${copyTemp}`,
          `stray-temp ${truncTemp}`,
          `stray-temp ${onlyTemp}`,
          `stray-temp ${hiddenCopy}`,
          'unfinished-job imp',
        ].sort(),
      );
    });
    const onlySha = await sha256File(pathOf(onlyTemp));

    const r = await lakeCheck(ws, ['--repair']);
    expectProblems(r, [{ kind: 'stray-temp', dataset: 'telemetry', path: onlyTemp, detail: /^kept: 100 of its rows are nowhere else/ }]);
    expect(r.repaired).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^compaction compact-[\w-]+ of imp\/date=2024-01-01: switched → done$/),
        expect.stringMatching(new RegExp(`^removed ${copyTemp.replaceAll('.', '\\.')}: every row is in "main"\\."telemetry"`)),
        expect.stringMatching(new RegExp(`^removed ${truncTemp.replaceAll('.', '\\.')}: not a complete Parquet file`)),
        expect.stringMatching(
          new RegExp(`^withdrew hidden ${hiddenCopy.replaceAll('.', '\\.')}: every row is in "main"\\."maintenance_event"`),
        ),
      ]),
    );
    expect(r.repaired).toHaveLength(4);
    for (const gone of [copyTemp, truncTemp, hiddenCopy, partitionKey('imp', '2024-01-01', 'a'), partitionKey('imp', '2024-01-01', 'b')]) {
      expect(await stat(pathOf(gone)).catch(() => null), gone).toBeNull();
    }
    // The one copy of those 100 rows is untouched.
    expect(await sha256File(pathOf(onlyTemp))).toBe(onlySha);

    await withWorkbench(async (wb, conn) => {
      expect(await visible(conn, ['cold.imp'])).toEqual(before);
      expect((await wb.data.lake.list('imp')).map((f) => f.key)).toEqual([
        expect.stringMatching(/^imp\/date=2024-01-01\/part-compacted-[\w-]+\.parquet$/),
      ]);
      // A second repair has nothing left to do but say what it keeps.
      const again = await checkHere(wb, true);
      expect(again.repaired).toEqual([]);
      expect(again.problems.map((p) => `${p.kind} ${p.path}`)).toEqual([`stray-temp ${onlyTemp}`]);
    });
    await rm(pathOf(onlyTemp));
    const clean = await lakeCheck(ws);
    expect(clean).toMatchObject({ ok: true, exitCode: 0, problems: [] });
  }, 180_000);
});
