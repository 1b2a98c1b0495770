import type { DuckDBConnection } from '@duckdb/node-api';
import { queryNumber, queryRows } from '../electron/core/engine/duck-query';
import { filesRead } from '../electron/core/engine/files-read';
import { sqlPathList } from '../electron/core/lake/lake-sql';
import { HOT_MIRROR_SCHEMA, getHiddenFiles } from '../electron/core/mirror/meta';
import { qualifiedName, quoteLiteral } from '../shared/sql';
import { atMost, openScaleWorkspace, type ScaleFigure, type ScaleWorkspace } from './scale-kit';

/**
 * Issue 16, ask 3: the unified views add nothing. Two queries analysts write, each over `main.telemetry` and
 * hand-written against the lake's Parquet files plus the hot mirror table, on the 90-day and the year workspace:
 * a 30-day fleet aggregate (the last 30 days, across both tiers) and one jar's whole history. Runs alternate
 * between the two forms; the figure is the ratio of their medians (view / hand-written), limit 1.1.
 */
const RUNS = 15;
const COLUMNS = 'battery_id, ts, voltage_v, temperature_c';

interface Pair {
  name: string;
  view: string;
  hand: string;
  /** A one-day filter of the same kind over the view: how many lake files it opens (detail, not a target). */
  oneDay?: string;
}

async function timeOnce(conn: DuckDBConnection, sql: string, out: number[]): Promise<void> {
  const t0 = performance.now();
  await conn.runAndReadAll(sql);
  out.push(performance.now() - t0);
}

function mid(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The lake's live telemetry files (readable, not hidden), oldest day first. */
async function coldFiles(opened: Awaited<ReturnType<typeof openScaleWorkspace>>, conn: DuckDBConnection): Promise<string[]> {
  const { lake } = opened.wb.data;
  const hidden = await getHiddenFiles(conn);
  return (await lake.readable('telemetry'))
    .filter((f) => !hidden.has(f.key) && !hidden.has(lake.localPath(f.key)))
    .map((f) => lake.localPath(f.key))
    .sort();
}

function dayOf(path: string): string {
  return /date=(\d{4}-\d{2}-\d{2})/.exec(path)?.[1] ?? '';
}

async function pairs(conn: DuckDBConnection, files: string[]): Promise<Pair[]> {
  const hot = qualifiedName(HOT_MIRROR_SCHEMA, 'telemetry');
  const endMs = await queryNumber(conn, `SELECT epoch_ms(max(ts)) FROM ${hot}`);
  const toMs = Math.floor(endMs / 86_400_000) * 86_400_000;
  const fromMs = toMs - 30 * 86_400_000;
  const at = (ms: number): string => `CAST(${quoteLiteral(new Date(ms).toISOString())} AS TIMESTAMPTZ)`;
  const fromDay = new Date(fromMs).toISOString().slice(0, 10);
  const monthFiles = files.filter((f) => dayOf(f) >= fromDay);
  const jar = Number((await queryRows(conn, `SELECT min(battery_id) AS b FROM ${hot}`))[0]?.b ?? 1);
  const source = (paths: string[]): string =>
    `(SELECT ${COLUMNS} FROM read_parquet(${sqlPathList(paths)}, hive_partitioning = false) UNION ALL SELECT ${COLUMNS} FROM ${hot})`;
  const fleet = (src: string): string =>
    `SELECT battery_id, count(*) AS n, avg(voltage_v) AS v, max(temperature_c) AS t FROM ${src} ` +
    `WHERE ts >= ${at(fromMs)} AND ts < ${at(toMs)} GROUP BY battery_id`;
  const history = (src: string): string => `SELECT ts, voltage_v, temperature_c FROM ${src} WHERE battery_id = ${jar} ORDER BY ts`;
  return [
    {
      name: 'fleet 30 days',
      view: fleet('main.telemetry'),
      hand: fleet(source(monthFiles)),
      oneDay: `SELECT count(*) FROM main.telemetry WHERE ts >= ${at(fromMs)} AND ts < ${at(fromMs + 86_400_000)}`,
    },
    { name: 'one jar, full history', view: history('main.telemetry'), hand: history(source(files)) },
  ];
}

async function measure(which: ScaleWorkspace): Promise<ScaleFigure[]> {
  const opened = await openScaleWorkspace(which);
  const conn = await opened.wb.engine.connect();
  try {
    const files = await coldFiles(opened, conn);
    const figures: ScaleFigure[] = [];
    for (const p of await pairs(conn, files)) {
      // The two forms must agree before their times mean anything.
      const count = (sql: string): Promise<number> => queryNumber(conn, `SELECT count(*) FROM (${sql})`);
      const [rowsView, rowsHand] = [await count(p.view), await count(p.hand)];
      if (rowsView !== rowsHand) throw new Error(`views (${which}, ${p.name}): the view gives ${rowsView} rows, the files ${rowsHand}`);
      const view: number[] = [];
      const hand: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await timeOnce(conn, p.view, view);
        await timeOnce(conn, p.hand, hand);
      }
      const oneDay = p.oneDay === undefined ? {} : { oneDayFilesRead: (await filesRead(conn, p.oneDay)).count };
      figures.push(
        atMost(`views ${which}: ${p.name}, view / hand-written`, mid(view) / mid(hand), 'ratio', 1.1, {
          viewMs: Math.round(mid(view)),
          handMs: Math.round(mid(hand)),
          rows: rowsView,
          files: files.length,
          ...oneDay,
        }),
      );
    }
    return figures;
  } finally {
    conn.closeSync();
    await opened.wb.close();
  }
}

export async function scaleViews(): Promise<ScaleFigure[]> {
  return [...(await measure('90d')), ...(await measure('year'))];
}
