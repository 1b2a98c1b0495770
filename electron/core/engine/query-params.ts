import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  DuckDBDateValue,
  DuckDBTimestampValue,
  SQLNULL,
  TIMESTAMP,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { errorMessage, WorkbenchError } from '../../../shared/api/errors';
import { sqlParamNames } from '../../../shared/sql-lex';
import { checkParamValue, type CheckedValue, type ParamDecl, type ParamValues } from '../../../shared/api/params';

/** A choice list shows at most this many values. */
export const MAX_CHOICES = 1000;

/** Parameter values checked against their types, ready to bind by name. */
export type CheckedParams = ReadonlyMap<string, CheckedValue>;

/** A choice list's SQL as a subquery whose first column is `v` (a trailing `;` is allowed, as in the editor). */
function choicesSource(sql: string): string {
  return `(${sql.trim().replace(/;+\s*$/, '')}) AS _choices(v)`;
}

/** The values of a choice list: the first column of `sql` as text, in its order (at most MAX_CHOICES). */
export async function choiceValues(conn: DuckDBConnection, sql: string): Promise<{ values: string[]; truncated: boolean }> {
  const reader = await runChoices(conn, `SELECT CAST(v AS VARCHAR) FROM ${choicesSource(sql)} LIMIT ${MAX_CHOICES + 1}`, [], sql);
  const values = reader.getRows().map((r) => (r[0] === null ? '' : String(r[0])));
  return { values: values.slice(0, MAX_CHOICES), truncated: values.length > MAX_CHOICES };
}

async function runChoices(conn: DuckDBConnection, query: string, values: DuckDBValue[], sql: string) {
  try {
    return await conn.runAndReadAll(query, values);
  } catch (err) {
    throw new WorkbenchError('SQL_ERROR', `The choice list's query failed: ${errorMessage(err)}`, sql);
  }
}

function missingParams(names: readonly string[]): WorkbenchError {
  const which = names.length === 1 ? `the parameter ${names[0]}` : `the parameters ${names.join(', ')}`;
  return new WorkbenchError(
    'BAD_INPUT',
    `The query uses ${which} but no value was given, so nothing was run. Fill in the parameter form above the editor, or pass --param NAME=VALUE.`,
  );
}

/** Refuses, before anything runs, SQL whose named parameters (outside strings and comments) lack a value. */
export function assertParamsGiven(sql: string, values: ParamValues): void {
  const missing = sqlParamNames(sql).filter((name) => !Object.hasOwn(values, name));
  if (missing.length > 0) throw missingParams(missing.map((name) => `$${name}`));
}

/**
 * Checks each given value against its declared type (a choice list: against its query's values, in the workspace on
 * `conn`). Throws BAD_INPUT naming the parameter. Undeclared values are taken as their JSON type.
 */
export async function checkParams(conn: DuckDBConnection, values: ParamValues, decls: readonly ParamDecl[]): Promise<CheckedParams> {
  const types = new Map(decls.map((d) => [d.name, d]));
  const checked = new Map<string, CheckedValue>();
  for (const [name, value] of Object.entries(values)) {
    const decl = types.get(name);
    let v: CheckedValue;
    try {
      v = checkParamValue(name, decl?.type, value);
    } catch (err) {
      throw new WorkbenchError('BAD_INPUT', `${errorMessage(err)} Nothing was run.`);
    }
    if (decl?.type === 'choice' && v.kind === 'text') {
      const sql = decl.choicesSql ?? '';
      const hit = await runChoices(conn, `SELECT 1 FROM ${choicesSource(sql)} WHERE CAST(v AS VARCHAR) = $1 LIMIT 1`, [v.value], sql);
      if (hit.getRows().length === 0) {
        throw new WorkbenchError(
          'BAD_INPUT',
          `The parameter $${name} must be one of its choices, and ${JSON.stringify(v.value)} is not among them. Nothing was run.`,
        );
      }
    }
    checked.set(name, v);
  }
  return checked;
}

function duckValue(v: CheckedValue): { value: DuckDBValue; type: DuckDBType } {
  switch (v.kind) {
    case 'null':
      return { value: null, type: SQLNULL };
    case 'text':
      return { value: v.value, type: VARCHAR };
    case 'boolean':
      return { value: v.value, type: BOOLEAN };
    case 'integer':
      return { value: v.value, type: BIGINT };
    case 'number':
      return { value: v.value, type: DOUBLE };
    case 'date':
      return { value: new DuckDBDateValue(v.value), type: DATE };
    case 'timestamp':
      return { value: new DuckDBTimestampValue(v.value), type: TIMESTAMP };
  }
}

/** Binds a prepared statement's named parameters from `params`; a parameter without a value is refused by name. */
export function bindParams(prepared: DuckDBPreparedStatement, params: CheckedParams): void {
  const count = prepared.parameterCount;
  if (count === 0) return;
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = prepared.parameterName(i);
    const v = params.get(name);
    if (!v) {
      missing.push(`$${name}`);
      continue;
    }
    ({ value: values[name], type: types[name] } = duckValue(v));
  }
  if (missing.length > 0) throw missingParams(missing);
  prepared.bind(values, types);
}
