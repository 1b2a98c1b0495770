import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueryRunResult } from '../shared/api/query';
import { openWorkbench } from '../electron/core/workbench';
import { median, p95, time } from './panel-timing';

const ROWS = 5_000_000;
const RUNS = 5;
/** Target: fingerprinting a result costs at most this many times a count(*) of it. */
const TARGET_RATIO = 3;

/** A telemetry-shaped table: ids, readings, a timestamp, text. */
const SETUP = `CREATE OR REPLACE TABLE fp_bench AS
  SELECT range::BIGINT AS id,
         (range % 2376)::INTEGER AS battery_id,
         TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(range * 5) AS ts,
         3.2 + (range % 1000) / 1000.0::DOUBLE AS voltage_v,
         20 + (range % 150) / 10.0::DOUBLE AS temperature_c,
         (range % 97 * 0.125)::DECIMAL(9,3) AS resistance_mohm,
         'site-' || (range % 9) AS site
    FROM range(${ROWS})`;

/** Every column of fp_bench: the scan floor reads each value once, as the fingerprint must. */
const COLUMNS = ['id', 'battery_id', 'ts', 'voltage_v', 'temperature_c', 'resistance_mohm', 'site'];

/** Ordered (its fingerprint hashes each row with its position) and unordered (a multiset of rows). */
const QUERIES = {
  ordered: 'SELECT * FROM fp_bench WHERE voltage_v > 0 ORDER BY id',
  unordered: 'SELECT * FROM fp_bench WHERE voltage_v > 0',
} as const;

/**
 * The count(*) of a plain filtered scan reads one column (DuckDB prunes the rest), while a fingerprint reads every
 * value of every row: the unordered query is the hard case for the ratio, the ordered one the common one.
 *
 * A 5M-row result's fingerprint (what the engine does after the run returns: the hash in DuckDB and the history
 * update) against `SELECT count(*)` of the same query, in the same process: p50 and p95 over RUNS runs each.
 *
 * The scan floor is the least any fingerprint of every value can cost: `min()` of every column of the same query, so
 * each value is read once and nothing is hashed. fingerprintToFloorP50 shows how much the hash adds over reading.
 */
export async function benchFingerprint(): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-bench-fp-'));
  const wb = await openWorkbench({ workspaceDir: dir, entry: 'cli', appVersion: 'bench' });
  const ctx = { transport: 'test' as const };
  let seq = 0;
  try {
    await wb.engine.withConnection((conn) => conn.run(SETUP));
    const figures: Record<string, unknown> = { rows: ROWS, runs: RUNS, targetRatio: TARGET_RATIO };
    for (const [kind, sql] of Object.entries(QUERIES)) {
      const counts: number[] = [];
      const floors: number[] = [];
      const prints: number[] = [];
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        counts.push(await time(() => wb.engine.withConnection((conn) => conn.runAndReadAll(`SELECT count(*) FROM (${sql})`))));
        const mins = COLUMNS.map((c) => `min(${c})`).join(', ');
        floors.push(await time(() => wb.engine.withConnection((conn) => conn.runAndReadAll(`SELECT ${mins} FROM (${sql})`))));
        let result: QueryRunResult | null = null;
        runs.push(
          await time(async () => {
            result = await wb.core.query.run({ sql, target: 'workspace', runId: `fp${++seq}` }, ctx);
          }),
        );
        prints.push(await time(() => wb.engine.fingerprintsSettled()));
        const kept = result as QueryRunResult | null;
        if (!kept || kept.rowCount !== ROWS) throw new Error(`The ${kind} query returned ${kept?.rowCount ?? 'no'} rows, not ${ROWS}`);
        await wb.core.query.close({ resultId: kept.resultId }, ctx);
      }
      const [entry] = await wb.engine.historyEntries('', 1);
      if (!entry?.resultHash) throw new Error(`The ${kind} run has no fingerprint`);
      const ratioP50 = median(prints) / median(counts);
      const ratioP95 = p95(prints) / p95(counts);
      figures[kind] = {
        countP50Ms: median(counts),
        countP95Ms: p95(counts),
        scanFloorP50Ms: median(floors),
        fingerprintP50Ms: median(prints),
        fingerprintP95Ms: p95(prints),
        runP50Ms: median(runs),
        ratioP50: Math.round(ratioP50 * 100) / 100,
        ratioP95: Math.round(ratioP95 * 100) / 100,
        withinTarget: ratioP50 <= TARGET_RATIO,
        /** Reading every value once (no hash) next to the count, and the fingerprint next to that floor. */
        scanFloorToCountP50: Math.round((median(floors) / median(counts)) * 100) / 100,
        fingerprintToFloorP50: Math.round((median(prints) / median(floors)) * 100) / 100,
        /** The fingerprint's cost next to the run it follows (which the user does not wait for). */
        fingerprintToRunP50: Math.round((median(prints) / median(runs)) * 1000) / 1000,
      };
      figures[`${kind}RatioP50`] = Math.round(ratioP50 * 100) / 100;
    }
    return figures;
  } finally {
    await wb.close();
    await rm(dir, { recursive: true, force: true });
  }
}
