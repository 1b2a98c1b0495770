import type { Scope } from '../../../shared/api/dashboard';

/** SQL fragments that select the strings and jars of a scope from the master views (ids are validated integers). */
function id(scope: Scope): string {
  if (scope.id === undefined || !Number.isInteger(scope.id)) throw new Error(`The ${scope.kind} needs an id.`);
  return String(scope.id);
}

/** A SELECT of the scope's string ids (one column, string_id). */
export function scopeStringsSql(scope: Scope): string {
  switch (scope.kind) {
    case 'fleet':
      return 'SELECT string_id FROM battery_string';
    case 'location':
      return `SELECT s.string_id FROM battery_string s JOIN battery_system y ON y.system_id = s.system_id WHERE y.location_id = ${id(scope)}`;
    case 'system':
      return `SELECT string_id FROM battery_string WHERE system_id = ${id(scope)}`;
    case 'string':
      return `SELECT ${id(scope)} AS string_id`;
    case 'battery':
      return `SELECT string_id FROM battery WHERE battery_id = ${id(scope)}`;
  }
}

/** A SELECT of the scope's site ids (one column, location_id): the sites its strings stand in. */
export function scopeLocationsSql(scope: Scope): string {
  switch (scope.kind) {
    case 'fleet':
      return 'SELECT location_id FROM location';
    case 'location':
      return `SELECT ${id(scope)} AS location_id`;
    case 'system':
      return `SELECT location_id FROM battery_system WHERE system_id = ${id(scope)}`;
    default:
      return `SELECT y.location_id FROM battery_string s JOIN battery_system y ON y.system_id = s.system_id WHERE s.string_id IN (${scopeStringsSql(scope)})`;
  }
}

/** A SELECT of the scope's jar ids (one column, battery_id). */
export function scopeJarsSql(scope: Scope): string {
  if (scope.kind === 'battery') return `SELECT ${id(scope)} AS battery_id`;
  if (scope.kind === 'fleet') return 'SELECT battery_id FROM battery';
  return `SELECT battery_id FROM battery WHERE string_id IN (${scopeStringsSql(scope)})`;
}

/**
 * `<col> = <id>` for one jar, else `<col> IN (<the scope's jars>)`: a literal comparison is a filter of the table
 * scan, so the zonemaps of a table kept in jar order skip every other jar's row groups.
 */
export function scopeJarsFilter(col: string, scope: Scope): string {
  return scope.kind === 'battery' ? `${col} = ${id(scope)}` : `${col} IN (${scopeJarsSql(scope)})`;
}

/** `<col> = <id>` for one string, else `<col> IN (<the scope's strings>)` (see scopeJarsFilter). */
export function scopeStringsFilter(col: string, scope: Scope): string {
  return scope.kind === 'string' ? `${col} = ${id(scope)}` : `${col} IN (${scopeStringsSql(scope)})`;
}

/** `TIMESTAMPTZ` literal of an instant (ms, rendered as ISO text from a number: never input text). */
export function tsAt(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`Not a time: ${ms}`);
  return `TIMESTAMPTZ '${new Date(ms).toISOString()}'`;
}
