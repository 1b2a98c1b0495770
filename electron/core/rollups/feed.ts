import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../../../shared/sql';
import { inTransaction, insertObjects } from '../engine/duck-query';
import type { LakeFile } from '../lake/lake';
import { forgetLayoutSql } from './gold-layout';
import {
  FAMILIES,
  GRAIN_MS,
  JAR_FIRST_DAYS,
  SIBLING_HOURLY,
  STATE,
  emptyGoldTableSql,
  ensureGoldSchema,
  rollupTable,
  type RollupFamily,
} from './gold-schema';
import { rebuildDailyFromHourlySql, rebuildHourlyFromRawSql, rebuildSiblingSql, rebuildSiteSql } from './rollup-sql';

/** The datasets the rollups are built from, with the family each feeds. */
const FED = [
  { dataset: 'telemetry', family: FAMILIES.jar },
  { dataset: 'string_telemetry', family: FAMILIES.string },
] as const;

/** True for a dataset the rollups are built from (the others' lake files are none of the feed's business). */
export function feedsRollups(dataset: string): boolean {
  return rollupFamilyOf(dataset) !== undefined;
}

/** The rollup family built from `dataset`; undefined for a dataset no rollup is built from. */
export function rollupFamilyOf(dataset: string): RollupFamily | undefined {
  return FED.find((f) => f.dataset === dataset)?.family;
}

/**
 * Where a landing day's rows are read from, as SQL relations on the writer's connection (e.g. the demo's
 * in-memory day): the jar readings, the string readings, and the jar → site mapping (`battery_id, location_id`).
 */
export interface FeedSources {
  telemetry: string;
  string_telemetry: string;
  /** Where each jar sits: battery_id, string_id, location_id (see JAR_MAP_SQL). */
  jarMap: string;
}

/**
 * Rollups built as a writer lands whole UTC days in the lake (the demo), instead of one refresh over every file
 * at the end. `begin` empties the rollups and their bookkeeping and records the tier split the writer will set;
 * `land` aggregates one landed range from the writer's own rows and records its lake files as seen, in one
 * transaction. The next refresh then finds those files and that split already seen and recomputes only the rest
 * (the hot window). `abandon` forgets what was seen, so after an interrupted run the next refresh recomputes
 * every file that is there (the rollups hold only landed days, so that equals a full rebuild).
 */
export const rollupFeed = {
  async begin(conn: DuckDBConnection, splitIso: string): Promise<void> {
    await ensureGoldSchema(conn);
    await inTransaction(conn, async () => {
      // The gold tables made again, not emptied row by row (emptyGoldTableSql): a year's rollups are about 30M rows.
      for (const family of Object.values(FAMILIES)) {
        for (const grain of ['hourly', 'daily'] as const) {
          for (const sql of emptyGoldTableSql(rollupTable(family, grain))) await conn.run(sql);
          // The landed rows are counted afresh (adoptGoldLayout), so the closing refresh puts them in order.
          for (const sql of forgetLayoutSql(family, grain)) await conn.run(sql);
        }
      }
      for (const sql of [...emptyGoldTableSql(SIBLING_HOURLY), ...emptyGoldTableSql(JAR_FIRST_DAYS)]) await conn.run(sql);
      // A new history: no day of it is retired.
      await conn.run(`DELETE FROM ${STATE.retired}`);
      await forget(conn);
      // The split as the refresh reads it back from the tier state (getSplits), so it compares equal.
      for (const { dataset } of FED) {
        await conn.run(
          `INSERT INTO ${STATE.splits} SELECT $1, strftime(CAST($2 AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')`,
          [dataset, splitIso],
        );
      }
    });
  },

  /** Aggregate [loMs, hiMs) (whole UTC days) from `sources` and record `files` (the range's lake files) as seen. */
  async land(conn: DuckDBConnection, sources: FeedSources, loMs: number, hiMs: number, files: readonly LakeFile[]): Promise<void> {
    if (loMs % GRAIN_MS.daily !== 0 || hiMs % GRAIN_MS.daily !== 0) throw new Error('The rollup feed takes whole UTC days.');
    await inTransaction(conn, async () => {
      const statements = [
        ...FED.flatMap(({ dataset, family }) => [
          ...rebuildHourlyFromRawSql(family, `(${sources[dataset]}) AS landed`, loMs, hiMs),
          ...rebuildDailyFromHourlySql(family, loMs, hiMs),
        ]),
        ...rebuildSiblingSql(loMs, hiMs, sources.jarMap),
        ...rebuildSiteSql(FAMILIES.site, FAMILIES.jar, 'hourly', loMs, hiMs, sources.jarMap),
        ...rebuildSiteSql(FAMILIES.site, FAMILIES.jar, 'daily', loMs, hiMs, sources.jarMap),
      ];
      for (const sql of statements) await conn.run(sql);
      await insertObjects(
        conn,
        STATE.lakeFiles,
        ['dataset', 'key', 'size', 'mtime_ms'],
        files.map((f) => ({ dataset: f.dataset, key: f.key, size: f.size, mtime_ms: f.modifiedAt.getTime() })),
      );
    });
  },

  async abandon(conn: DuckDBConnection): Promise<void> {
    await inTransaction(conn, () => forget(conn));
  },
};

async function forget(conn: DuckDBConnection): Promise<void> {
  for (const { dataset } of FED) {
    for (const table of [STATE.hotHours, STATE.lakeFiles, STATE.splits])
      await conn.run(`DELETE FROM ${table} WHERE dataset = ${quoteLiteral(dataset)}`);
  }
}
