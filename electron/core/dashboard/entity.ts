import type { DuckDBConnection } from '@duckdb/node-api';
import type { EntityInfo, EntityPathItem, Scope } from '../../../shared/api/dashboard';
import { WorkbenchError } from '../../../shared/api/errors';
import { queryRows } from '../engine/duck-query';
import { JAR_NAMES_SQL, STRING_NAME_SQL } from './jar-name';
import { scopeJarsSql } from './scope-sql';

function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** Name, path, time zone, facts and data extent of a scope. */
export async function readEntity(conn: DuckDBConnection, scope: Scope): Promise<EntityInfo> {
  const path: EntityPathItem[] = [];
  const facts: { label: string; value: string }[] = [];
  let name = 'Fleet';
  let timeZone = 'UTC';
  const one = async (sql: string): Promise<Record<string, unknown>> => {
    const rows = await queryRows(conn, sql, [scope.id ?? 0]);
    if (rows.length === 0)
      throw new WorkbenchError(
        'NOT_FOUND',
        `There is no ${scope.kind === 'battery' ? 'jar' : scope.kind} with id ${scope.id ?? ''} in this workspace.`,
      );
    return rows[0];
  };
  const site = (r: Record<string, unknown>): void => {
    path.push({ kind: 'location', id: Number(r.location_id), name: text(r.site) });
    timeZone = text(r.time_zone) || 'UTC';
  };
  switch (scope.kind) {
    case 'fleet': {
      const r =
        (
          await queryRows(
            conn,
            'SELECT (SELECT count(*) FROM location) AS sites, (SELECT count(*) FROM battery_system) AS systems, (SELECT count(*) FROM battery_string) AS strings, (SELECT count(*) FROM battery) AS jars',
          )
        )[0] ?? {};
      facts.push(
        { label: 'Sites', value: text(r.sites) },
        { label: 'Systems', value: text(r.systems) },
        { label: 'Strings', value: text(r.strings) },
        { label: 'Jars', value: text(r.jars) },
      );
      break;
    }
    case 'location': {
      const r = await one(
        'SELECT location_id, name AS site, code, city, country, time_zone, (SELECT count(*) FROM battery_system y WHERE y.location_id = l.location_id) AS systems FROM location l WHERE location_id = $1',
      );
      site(r);
      name = text(r.site);
      facts.push(
        { label: 'Code', value: text(r.code) },
        { label: 'City', value: `${text(r.city)}, ${text(r.country)}` },
        { label: 'Time zone', value: timeZone },
        { label: 'Systems', value: text(r.systems) },
      );
      break;
    }
    case 'system': {
      const r = await one(
        'SELECT y.system_id, y.name, y.system_type, CAST(y.rated_power_kw AS DOUBLE) AS kw, CAST(y.commissioned_on AS VARCHAR) AS commissioned, l.location_id, l.name AS site, l.time_zone FROM battery_system y JOIN location l ON l.location_id = y.location_id WHERE y.system_id = $1',
      );
      site(r);
      path.push({ kind: 'system', id: Number(r.system_id), name: text(r.name) });
      name = text(r.name);
      facts.push(
        { label: 'Type', value: text(r.system_type).toUpperCase() },
        { label: 'Rated power', value: `${text(r.kw)} kW` },
        { label: 'Commissioned', value: text(r.commissioned) },
      );
      break;
    }
    case 'string':
    case 'battery': {
      const stringSql =
        'SELECT s.string_id, s.string_no, s.jar_count, m.manufacturer, m.model_name, CAST(m.nominal_voltage_v AS DOUBLE) AS nominal_v, CAST(m.float_voltage_v AS DOUBLE) AS float_v, ' +
        `CAST(m.nominal_resistance_mohm AS DOUBLE) AS r0, y.system_id, y.name AS system, ${STRING_NAME_SQL} AS string_name, l.location_id, l.name AS site, l.time_zone ` +
        'FROM battery_string s JOIN battery_model m ON m.model_id = s.model_id JOIN battery_system y ON y.system_id = s.system_id JOIN location l ON l.location_id = y.location_id';
      const r =
        scope.kind === 'string'
          ? await one(`${stringSql} WHERE s.string_id = $1`)
          : await one(
              `SELECT b.battery_id, n.jar, b.serial_no, CAST(b.installed_on AS VARCHAR) AS installed, x.* FROM battery b ` +
                `JOIN (${stringSql}) x ON x.string_id = b.string_id JOIN (${JAR_NAMES_SQL}) n ON n.battery_id = b.battery_id WHERE b.battery_id = $1`,
            );
      site(r);
      path.push({ kind: 'system', id: Number(r.system_id), name: text(r.system) });
      path.push({ kind: 'string', id: Number(r.string_id), name: text(r.string_name) });
      facts.push({ label: 'Model', value: `${text(r.manufacturer)} ${text(r.model_name)}` });
      if (scope.kind === 'string') {
        name = text(r.string_name);
        facts.push({ label: 'Jars', value: text(r.jar_count) }, { label: 'Float voltage per jar', value: `${text(r.float_v)} V` });
      } else {
        name = text(r.jar);
        path.push({ kind: 'battery', id: Number(r.battery_id), name });
        facts.push(
          { label: 'Serial', value: text(r.serial_no) },
          { label: 'Installed', value: text(r.installed) },
          { label: 'Nominal resistance', value: `${text(r.r0)} mΩ` },
          { label: 'Float voltage', value: `${text(r.float_v)} V` },
        );
      }
      break;
    }
  }
  if (scope.kind === 'location' || scope.kind === 'system') path.length = scope.kind === 'location' ? 1 : 2;
  const extent = await queryRows(
    conn,
    `SELECT strftime(min(first_ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS f, strftime(max(last_ts) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS t ` +
      `FROM gold.jar_daily WHERE battery_id IN (${scopeJarsSql(scope)})`,
  );
  return {
    kind: scope.kind,
    id: scope.id ?? null,
    name,
    path,
    timeZone,
    dataFrom: extent[0]?.f === null || extent[0]?.f === undefined ? null : String(extent[0].f),
    dataTo: extent[0]?.t === null || extent[0]?.t === undefined ? null : String(extent[0].t),
    facts,
  };
}
