/**
 * The one name of a jar on every page, chart and table: site code, system, string, jar, as in
 * "FRA1 UPS A · S1 · J10" (and of a string: "FRA1 UPS A · S1"). A system name that already starts with its site's
 * code (the demo's "FRA1 UPS A") does not get it twice. The numeric id stays a separate column: pages show it on hover.
 */

/** The system as named on a page: its site code in front unless its own name already starts with it. */
const SYSTEM_NAME = `CASE WHEN coalesce(l.code, '') = '' OR y.name = l.code OR starts_with(y.name, l.code || ' ') THEN y.name ELSE l.code || ' ' || y.name END`;

/** A string's name; needs `l` (location), `y` (battery_system) and `s` (battery_string) in scope. */
export const STRING_NAME_SQL = `${SYSTEM_NAME} || ' · S' || s.string_no`;

/** A jar's name; needs `l`, `y`, `s` and `b` (battery) in scope. */
export const JAR_NAME_SQL = `${STRING_NAME_SQL} || ' · J' || b.position`;

/**
 * Every jar with its place and name: `(battery_id, string_id, position, serial_no, system_id, location_id, jar)`.
 * Use it as a CTE body or a subquery and join on battery_id.
 */
export const JAR_NAMES_SQL = `SELECT b.battery_id, b.string_id, b.position, b.serial_no, y.system_id, y.location_id, ${JAR_NAME_SQL} AS jar
  FROM battery b JOIN battery_string s ON s.string_id = b.string_id JOIN battery_system y ON y.system_id = s.system_id
  JOIN location l ON l.location_id = y.location_id`;

/** Every string with its name: `(string_id, string_name)`. */
export const STRING_NAMES_SQL = `SELECT s.string_id, ${STRING_NAME_SQL} AS string_name
  FROM battery_string s JOIN battery_system y ON y.system_id = s.system_id JOIN location l ON l.location_id = y.location_id`;
