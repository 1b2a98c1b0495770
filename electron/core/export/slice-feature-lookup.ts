import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { FEATURE_TIME_COLUMN, featureViewName, sliceFeatureOutputName, type SliceFeatureSet } from '../../../shared/domain/features';
import { SLICE_SHAPES, type SliceSpec } from '../../../shared/domain/slice-spec';
import { qualifiedName, quoteIdent, quoteLiteral } from '../../../shared/sql';
import { queryRows } from '../engine/duck-query';
import { FEATURES_DATASET } from '../features/feature-views';
import { orderKey } from './slice-sql';

/**
 * The point-in-time join of a slice's feature sets as list lookups instead of an ASOF join.
 *
 * The ASOF join the manifest records sorts the slice's rows for the join, then the result once more (wider) for the
 * slice's key order. Here each row finds its feature row by arithmetic and the result is sorted once:
 *
 * - A feature set has at most one row per unit and UTC day, so its event times are usually one per unit and day too.
 *   The grid has a cell per unit and UTC day of the slice (shifted by the lag). Each cell holds the latest feature row
 *   known before the day starts (`carry`) and the feature row whose event time falls inside the day, if any
 *   (`inside`, `at`).
 * - A row at time t (u = t minus the lag) takes `inside` when u >= `at`, else `carry`: the latest feature row whose
 *   event time is at or before u, exactly what the ASOF join picks.
 * - The grid and the feature columns are lists in one-row temp tables; a row's cell and feature row are list
 *   positions.
 *
 * When a set has two event times in one unit's day, a key that is not an integer, no feature row yet, or lists too
 * big for the job's memory budget, nothing is prepared and the slice runs the ASOF join it records. A test proves
 * both give the same file, row for row.
 */

const DAY_MS = 86_400_000;
/** Values held in the lookup lists at most (grid cells times 3, feature rows times their columns). */
export const MAX_LOOKUP_VALUES = 2_000_000;
const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER']);

export interface FeatureLookup {
  set: SliceFeatureSet;
  /** One row: the lists `__carry`, `__at` and `__inside`, one entry per (unit, day) cell, units outer. */
  grid: string;
  /** One row: `e` (event time) and `v0`.. (the declared columns), one entry per feature row. */
  values: string;
  /** First unit key and first day cell (days since the epoch) of the grid, its days per unit and last unit key. */
  k0: number;
  k1: number;
  c0: number;
  days: number;
}

const cellOf = (expr: string): string => `CAST(floor(epoch_ms(${expr}) / ${DAY_MS}) AS BIGINT)`;
const tempName = (name: string): string => `temp.main.${quoteIdent(name)}`;

/**
 * Builds the lookup tables of every feature set of the slice, or returns null (nothing left behind) when one of
 * them cannot be looked up: the slice then runs the ASOF join.
 */
export async function prepareFeatureLookups(
  conn: DuckDBConnection,
  spec: SliceSpec,
  features: readonly SliceFeatureSet[],
): Promise<FeatureLookup[] | null> {
  if (features.length === 0) return null;
  const prefix = `__slice_lookup_${randomUUID().slice(0, 8)}`;
  const made: FeatureLookup[] = [];
  try {
    for (let i = 0; i < features.length; i++) {
      const lookup = await prepareOne(conn, spec, features[i], `${prefix}_${i}`);
      if (lookup === null) {
        await dropFeatureLookups(conn, made);
        return null;
      }
      made.push(lookup);
    }
    return made;
  } catch (err) {
    await dropFeatureLookups(conn, made);
    throw err;
  }
}

async function prepareOne(conn: DuckDBConnection, spec: SliceSpec, set: SliceFeatureSet, name: string): Promise<FeatureLookup | null> {
  const view = qualifiedName(FEATURES_DATASET, featureViewName(set.name, set.version));
  const lagMs = set.lagMinutes * 60_000;
  // Row times lie in [from, to); a resampled row's bucket may start up to a day before `from`.
  const c0 = Math.floor((Date.parse(spec.from) - lagMs - DAY_MS) / DAY_MS);
  const c1 = Math.floor((Date.parse(spec.to) - lagMs - 1) / DAY_MS);
  const days = c1 - c0 + 1;
  const gridStart = `make_timestamptz(${c0 * DAY_MS * 1000})`;
  const to = `CAST(${quoteLiteral(spec.to)} AS TIMESTAMPTZ)`;
  const rows = tempName(`${name}_rows`);
  const grid = tempName(`${name}_grid`);
  const values = tempName(`${name}_values`);
  const e = quoteIdent(FEATURE_TIME_COLUMN);
  const vcols = set.columns.map((c, j) => `${quoteIdent(c)} AS v${j}`);
  // The feature rows a slice row can meet: per unit, the latest one before the grid's first day and every later
  // one known by the slice's end (as the ASOF join's candidates).
  await conn.run(
    `CREATE TEMP TABLE ${rows} AS WITH f AS (SELECT ${quoteIdent(set.entityColumn)} AS __k, ${e} AS __e, ${vcols.join(', ')} ` +
      `FROM ${view} WHERE ${e} <= ${to}), ` +
      `firsts AS (SELECT __k, max(__e) AS __e0 FROM f WHERE __e < ${gridStart} GROUP BY __k) ` +
      `SELECT row_number() OVER (ORDER BY f.__k, f.__e) AS __i, ${cellOf('f.__e')} AS __c, f.* ` +
      `FROM f LEFT JOIN firsts USING (__k) WHERE firsts.__e0 IS NULL OR f.__e >= firsts.__e0`,
  );
  const [shape] = await queryRows(
    conn,
    `SELECT count(*) AS n, min(__k) AS k0, max(__k) AS k1, any_value(typeof(__k)) AS key_type, ` +
      `(SELECT coalesce(max(m), 0) FROM (SELECT count(*) AS m FROM ${rows} GROUP BY __k, __c)) AS per_cell FROM ${rows}`,
  );
  const n = Number(shape.n);
  const k0 = Number(shape.k0);
  const k1 = Number(shape.k1);
  const fits =
    n > 0 &&
    INTEGER_TYPES.has(String(shape.key_type)) &&
    Number(shape.per_cell) <= 1 &&
    (k1 - k0 + 1) * days * 3 + n * (set.columns.length + 1) <= MAX_LOOKUP_VALUES;
  if (!fits) {
    await conn.run(`DROP TABLE IF EXISTS ${rows}`);
    return null;
  }
  try {
    await conn.run(
      `CREATE TEMP TABLE ${grid} AS ` +
        `WITH g AS (SELECT k, c, make_timestamptz(c * ${DAY_MS * 1000}) AS cs FROM range(${k0}, ${k1 + 1}) a(k), range(${c0}, ${c1 + 1}) b(c)), ` +
        `gc AS (SELECT g.k, g.c, r.__i AS carry FROM g ASOF LEFT JOIN (SELECT __k, __e, __i FROM ${rows}) r ON g.k = r.__k AND g.cs > r.__e), ` +
        `gi AS (SELECT gc.k, gc.c, gc.carry, r.__e AS arrives, r.__i AS inside FROM gc LEFT JOIN ${rows} r ON gc.k = r.__k AND gc.c = r.__c) ` +
        `SELECT list(carry ORDER BY k, c) AS __carry, list(arrives ORDER BY k, c) AS __at, list(inside ORDER BY k, c) AS __inside FROM gi`,
    );
    await conn.run(
      `CREATE TEMP TABLE ${values} AS SELECT list(__e ORDER BY __i) AS e, ` +
        `${set.columns.map((_, j) => `list(v${j} ORDER BY __i) AS v${j}`).join(', ')} FROM ${rows}`,
    );
  } catch (err) {
    await dropTables(conn, [grid, values]);
    throw err;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${rows}`);
  }
  return { set, grid, values, k0, k1, c0, days };
}

/**
 * The slice's SELECT with the feature columns looked up: `unordered` is the slice's rows (and labels); they are
 * materialized when asked (SliceSelectOptions.materialize), looked up and sorted in key order once. The columns come
 * out as the ASOF join's do (`<set>_event_time`, then `<set>_<column>`), in the same order.
 */
export function lookupSelect(spec: SliceSpec, unordered: string, lookups: readonly FeatureLookup[], materialize: boolean): string {
  const shape = SLICE_SHAPES[spec.dataset];
  const key = `x.${quoteIdent(shape.entityColumn)}`;
  const time = quoteIdent(shape.timeColumn);
  let rows = 'SELECT * FROM __rows';
  lookups.forEach((l, i) => {
    const lagged = (t: string): string => (l.set.lagMinutes > 0 ? `(${t} - INTERVAL ${quoteLiteral(`${l.set.lagMinutes} minutes`)})` : t);
    const u = lagged(time);
    const cell = cellOf(lagged(`x.${time}`));
    // A row's cell lies in the grid by construction; the guard makes a wrong range an error, never a wrong value.
    const pos =
      `CASE WHEN ${cell} NOT BETWEEN ${l.c0} AND ${l.c0 + l.days - 1} THEN error('a slice row lies outside the feature grid') ` +
      `WHEN ${key} BETWEEN ${l.k0} AND ${l.k1} THEN (${key} - ${l.k0}) * ${l.days} + (${cell} - ${l.c0}) + 1 END`;
    const located = `SELECT x.*, ${pos} AS __p, g.__carry AS __gc, g.__at AS __ga, g.__inside AS __gi FROM (${rows}) AS x, ${l.grid} AS g`;
    rows = `SELECT * EXCLUDE (__p, __gc, __ga, __gi), CASE WHEN ${u} >= __ga[__p] THEN __gi[__p] ELSE __gc[__p] END AS __f${i} FROM (${located})`;
  });
  const cols: string[] = [];
  lookups.forEach((l, i) => {
    const at = `x.__f${i}`;
    cols.push(`v${i}.e[${at}] AS ${quoteIdent(sliceFeatureOutputName(l.set.name, FEATURE_TIME_COLUMN))}`);
    l.set.columns.forEach((c, j) => cols.push(`v${i}.v${j}[${at}] AS ${quoteIdent(sliceFeatureOutputName(l.set.name, c))}`));
  });
  const indexes = lookups.map((_, i) => `__f${i}`).join(', ');
  const tables = lookups.map((l, i) => `${l.values} AS v${i}`).join(', ');
  const order = orderKey(spec).map((k) => `x.${quoteIdent(k)}`);
  return (
    `WITH __rows AS ${materialize ? 'MATERIALIZED ' : ''}(${unordered}) ` +
    `SELECT x.* EXCLUDE (${indexes}), ${cols.join(', ')} FROM (${rows}) AS x, ${tables} ORDER BY ${order.join(', ')}`
  );
}

export async function dropFeatureLookups(conn: DuckDBConnection, lookups: readonly FeatureLookup[]): Promise<void> {
  await dropTables(
    conn,
    lookups.flatMap((l) => [l.grid, l.values]),
  );
}

async function dropTables(conn: DuckDBConnection, tables: readonly string[]): Promise<void> {
  for (const t of tables) await conn.run(`DROP TABLE IF EXISTS ${t}`);
}
