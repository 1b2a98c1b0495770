import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import type { LifecyclePolicy, RetentionDay, RetentionPlan, RetentionReport } from '../../../shared/api/lifecycle';
import { formatBytes, formatCount } from '../../../shared/format';
import { qualifiedName } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import type { CompactDeps } from '../lake/compact';
import type { LakeIntent } from '../lake/intents';
import { LakeCatalog } from '../lake/lake-catalog';
import { getHiddenFiles, hideFilesSql, unhideFilesSql, type Statement } from '../mirror/meta';
import { feedsRollups, rollupFamilyOf } from '../rollups/feed';
import { rollupTable, STATE } from '../rollups/gold-schema';
import { killPoint } from '../system/kill-switch';

const DAY_MS = 86_400_000;

/** Why retention never applies to a dataset the rollups are not built from. */
export function notRetirableWhy(dataset: string): string | null {
  return feedsRollups(dataset)
    ? null
    : `No gold rollups are built from ${dataset}: its raw rows are the only record of it, so retention never deletes them.`;
}

function dateOf(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

function epochDayOf(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

interface DayFiles {
  day: number;
  keys: string[];
  bytes: number;
}

/** The visible lake files of `dataset` per UTC day before `beforeDay` (hidden files are some job's, in transit). */
async function lakeDays(conn: DuckDBConnection, deps: Pick<CompactDeps, 'lake'>, dataset: string, beforeDay: number): Promise<DayFiles[]> {
  const hidden = await getHiddenFiles(conn);
  const byDay = new Map<number, DayFiles>();
  for (const f of await new LakeCatalog(conn, deps.lake).files(dataset)) {
    const date = f.partition.date;
    if (date === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date) || hidden.has(f.key)) continue;
    const day = epochDayOf(date);
    if (day >= beforeDay) continue;
    const d = byDay.get(day) ?? { day, keys: [], bytes: 0 };
    d.keys.push(f.key);
    d.bytes += f.size;
    byDay.set(day, d);
  }
  return [...byDay.values()].sort((a, b) => a.day - b.day);
}

/** Per UTC day before `beforeDay`: the rows of the unified view, and the readings its hourly rollups hold. */
async function dayCounts(
  conn: DuckDBConnection,
  dataset: string,
  beforeDay: number,
): Promise<{ raw: Map<number, number>; rollup: Map<number, number> }> {
  const cut = `to_timestamp(${beforeDay * 86_400})`;
  const day = 'CAST(floor(epoch(ts) / 86400) AS BIGINT)';
  const raw = await queryRows(
    conn,
    `SELECT ${day} AS d, count(*) AS n FROM ${qualifiedName('main', dataset)} WHERE ts < ${cut} GROUP BY 1`,
  );
  const family = rollupFamilyOf(dataset);
  const rollup = family
    ? await queryRows(
        conn,
        `SELECT CAST(floor(epoch(bucket) / 86400) AS BIGINT) AS d, sum(n) AS n FROM ${rollupTable(family, 'hourly')} WHERE bucket < ${cut} GROUP BY 1`,
      )
    : [];
  const toMap = (rows: Record<string, unknown>[]): Map<number, number> => new Map(rows.map((r) => [Number(r.d), Number(r.n)]));
  return { raw: toMap(raw), rollup: toMap(rollup) };
}

/** The days retention retired earlier for `dataset`. */
async function retiredSummary(conn: DuckDBConnection, dataset: string): Promise<RetentionPlan['retired']> {
  const r = (
    await queryRows(conn, `SELECT count(*) AS n, min(day) AS lo, max(day) AS hi FROM ${STATE.retired} WHERE dataset = $1`, [dataset])
  )[0];
  const n = Number(r?.n ?? 0);
  return { days: n, first: n > 0 ? dateOf(Number(r?.lo)) : null, last: n > 0 ? dateOf(Number(r?.hi)) : null };
}

interface PlannedDay extends RetentionDay {
  keys: string[];
}

/**
 * The retention dry run of `dataset` under `policy` at `nowMs`: every UTC day of the lake before the cut-off (today minus
 * `retainDays`) with its files, rows and bytes, and whether it may go. A day may go only when the dataset's gold rollups
 * hold exactly as many readings for it as the unified view has rows (verified by count now, not assumed), and no legal
 * hold is on. Reads only.
 */
export async function planRetention(
  deps: Pick<CompactDeps, 'conn' | 'lake'>,
  dataset: string,
  policy: LifecyclePolicy,
  nowMs: number,
): Promise<RetentionPlan & { planned: PlannedDay[] }> {
  // The retired-day table is the rollups' (made with the gold schema when the workspace opens).
  const { conn } = deps;
  const retainDays = policy.retainDays ?? null;
  const legalHold = policy.legalHold === true;
  const retired = await retiredSummary(conn, dataset);
  const base = { dataset, retainDays, legalHold, retired };
  if (retainDays === null)
    return {
      ...base,
      cutoff: null,
      days: [],
      planned: [],
      retire: { days: 0, files: 0, rows: 0, bytes: 0 },
      summary: `No retention period is set for ${dataset}: its raw rows are kept for ever.`,
    };
  const beforeDay = Math.floor(nowMs / DAY_MS) - retainDays;
  const files = await lakeDays(conn, deps, dataset, beforeDay);
  const counts = files.length > 0 ? await dayCounts(conn, dataset, beforeDay) : { raw: new Map(), rollup: new Map() };
  const why = notRetirableWhy(dataset);
  const planned: PlannedDay[] = files.map((f) => {
    const rows = counts.raw.get(f.day) ?? 0;
    const rollupRows = counts.rollup.get(f.day) ?? 0;
    const covered = why === null && rollupRows === rows;
    return {
      date: dateOf(f.day),
      files: f.keys.length,
      rows,
      bytes: f.bytes,
      rollupRows,
      status: legalHold ? 'held' : covered ? 'retire' : 'not-covered',
      keys: f.keys,
    };
  });
  const going = planned.filter((d) => d.status === 'retire');
  const retire = {
    days: going.length,
    files: going.reduce((a, d) => a + d.files, 0),
    rows: going.reduce((a, d) => a + d.rows, 0),
    bytes: going.reduce((a, d) => a + d.bytes, 0),
  };
  const cutoff = dateOf(beforeDay);
  const notCovered = planned.filter((d) => d.status === 'not-covered').length;
  const summary =
    why ??
    (legalHold
      ? `A legal hold is on for ${dataset}: none of its ${planned.length} day(s) before ${cutoff} is deleted.`
      : planned.length === 0
        ? `The lake holds no day of ${dataset} before ${cutoff}: nothing to delete.`
        : `${retire.days} day(s) of ${dataset} before ${cutoff} would be deleted (${formatCount(retire.rows)} rows, ${retire.files} file(s), ${formatBytes(retire.bytes)}); their rollups stay.` +
          (notCovered > 0 ? ` ${notCovered} day(s) are kept: the rollups do not cover them (refresh the rollups first).` : ''));
  return { ...base, cutoff, days: planned.map(({ keys: _keys, ...d }) => d), planned, retire, summary };
}

interface RetentionPayload {
  days: PlannedDay[];
  reason: string;
}

type RetentionIntent = LakeIntent<RetentionPayload>;

/**
 * Deletes the raw rows of the confirmed days that still qualify (the plan is made again here, under the caller's
 * lake-writer turn), journaled as an intent: `planned` → one DuckDB transaction hides the days' files from the views and
 * records the days as retired (their rollups are never recomputed from now on) → `withdrawing`: a `withdraw` manifest
 * names the files with the days, rows and policy (the lake's record of what was deleted), then they are removed →
 * `done`. Killed anywhere, `finishRetentions` (the next retention, or `lake check --repair`) finishes or undoes it.
 * Fault tests: `BW_KILL_AT=retention:<hide|withdraw|unhide>`.
 */
export async function applyRetention(
  deps: CompactDeps,
  dataset: string,
  policy: LifecyclePolicy,
  confirmed: readonly string[],
  nowMs: number,
): Promise<RetentionReport> {
  const started = Date.now();
  await finishRetentions(deps);
  const plan = await planRetention(deps, dataset, policy, nowMs);
  const byDate = new Map(plan.planned.map((d) => [d.date, d]));
  const going: PlannedDay[] = [];
  const kept: RetentionReport['kept'] = [];
  for (const date of [...new Set(confirmed)].sort()) {
    const d = byDate.get(date);
    if (d?.status === 'retire') going.push(d);
    else
      kept.push({
        date,
        why:
          d === undefined
            ? `not a day of ${dataset} in the lake before ${plan.cutoff ?? 'a retention cut-off'} (gone already, or within the retention period)`
            : d.status === 'held'
              ? 'the legal hold is on'
              : (notRetirableWhy(dataset) ?? `the rollups hold ${d.rollupRows} of its ${d.rows} rows`),
      });
  }
  const report: RetentionReport = {
    dataset,
    days: going.map((d) => d.date),
    files: going.reduce((a, d) => a + d.files, 0),
    rows: going.reduce((a, d) => a + d.rows, 0),
    bytes: going.reduce((a, d) => a + d.bytes, 0),
    kept,
    ms: 0,
  };
  if (going.length > 0) {
    const first = going[0].date;
    const last = going[going.length - 1].date;
    const intent: RetentionIntent = {
      id: `retention-${randomUUID().slice(0, 12)}`,
      job: 'retention',
      dataset,
      state: 'planned',
      keys: going.flatMap((d) => d.keys),
      temps: [],
      payload: {
        days: going,
        reason:
          `retention: raw rows of ${going.length} day(s) of ${dataset} from ${first} to ${last} (${report.rows} rows in ${report.files} file(s)), ` +
          `older than the ${plan.retainDays ?? 0} days the policy keeps; the gold rollups hold every one of those rows (counts verified), and keep them`,
      },
    };
    await deps.intents.save(intent);
    killPoint('retention', 'hide');
    intent.state = 'withdrawing';
    await deps.commitViews([...hideFilesSql(intent.keys), ...retiredSql(intent), deps.intents.saveSql(intent)], [dataset]);
    await finishRetention(deps, intent);
  }
  report.ms = Date.now() - started;
  return report;
}

/** The statements recording the intent's days as retired (with the hide, in one transaction). */
function retiredSql(intent: RetentionIntent): Statement[] {
  return intent.payload.days.map((d) => ({
    sql: `INSERT OR REPLACE INTO ${STATE.retired} (dataset, day, files, rows, bytes) VALUES ($1, $2, $3, $4, $5)`,
    values: [intent.dataset, epochDayOf(d.date), d.files, d.rows, d.bytes],
  }));
}

/** A `planned` intent is undone (nothing was hidden); a `withdrawing` one has its files withdrawn, then shown as gone. */
async function finishRetention(deps: CompactDeps, intent: RetentionIntent): Promise<void> {
  if (intent.state === 'planned') {
    intent.state = 'undone';
    await deps.intents.save(intent);
    return;
  }
  killPoint('retention', 'withdraw');
  // Named in a manifest first (the record of what was deleted and why), then removed; a run finished after a crash
  // names them again (removing a file that is gone already is no error).
  await deps.lake.withdraw(intent.dataset, intent.keys, intent.payload.reason);
  killPoint('retention', 'unhide');
  intent.state = 'done';
  await deps.commitViews([...unhideFilesSql(intent.keys), deps.intents.saveSql(intent)], [intent.dataset]);
}

/** Finishes (or undoes) every retention a killed run left between steps. Returns what it did, one line each. */
export async function finishRetentions(deps: CompactDeps): Promise<string[]> {
  const out: string[] = [];
  for (const i of await deps.intents.unfinished('retention')) {
    const intent = i as RetentionIntent;
    const from = intent.state;
    await finishRetention(deps, intent);
    out.push(`retention ${intent.id} of ${intent.dataset} (${intent.payload.days.length} day(s)): ${from} → ${intent.state}`);
  }
  return out;
}
