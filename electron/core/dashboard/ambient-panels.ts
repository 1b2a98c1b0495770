import { qualifiedName } from '../../../shared/sql';
import { m4RawSql, pixelBucketMs } from './m4';
import type { PanelContext, PanelQuery } from './panel-query';
import { scopeLocationsSql, tsAt } from './scope-sql';

const READINGS = qualifiedName('main', 'environmental_telemetry');
const SENSORS = qualifiedName('main', 'environmental_sensor');

/**
 * Ambient conditions beside the jars: every sensor of the battery rooms of the scope's sites (a string's or system's
 * site, or the site itself), M4-downsampled (k = sensor_id) from the readings of the unified view: a sensor reports
 * every few minutes, so even a year of a site's rooms is a few ten thousand rows and needs no rollup. Rows are
 * (k, t, v, name, sensor_type, unit): the name is the legend's ("Battery room temperature"), type and unit tell
 * which axis a series belongs on.
 */
export function ambientSeries(ctx: PanelContext): PanelQuery {
  const sensors = `SELECT sensor_id FROM ${SENSORS} WHERE location_id IN (${scopeLocationsSql(ctx.scope)})`;
  const range = (col: string): string => `${col} >= ${tsAt(ctx.fromMs)} AND ${col} < ${tsAt(ctx.toMs)}`;
  const points = `SELECT sensor_id AS k, ts, value AS v FROM ${READINGS} WHERE sensor_id IN (${sensors}) AND ${range('ts')}`;
  const bucketMs = pixelBucketMs(ctx.fromMs, ctx.toMs, ctx.width);
  const sql =
    `SELECT m.k, m.t, m.v, s.room || ' ' || s.sensor_type AS name, s.sensor_type, s.unit\n` +
    `FROM (\n${m4RawSql(points, ctx.fromMs, bucketMs)}\n) m JOIN ${SENSORS} s ON s.sensor_id = m.k\nORDER BY m.k, m.t`;
  const exportSql =
    `SELECT e.sensor_id, s.room, s.sensor_type, s.unit, e.ts, e.value, e.tier\n` +
    `FROM ${READINGS} e JOIN ${SENSORS} s ON s.sensor_id = e.sensor_id\n` +
    `WHERE e.sensor_id IN (${sensors}) AND ${range('e.ts')}\nORDER BY e.sensor_id, e.ts`;
  return { sql, exportSql, source: 'environmental_telemetry (raw, M4)', bucketMs };
}
