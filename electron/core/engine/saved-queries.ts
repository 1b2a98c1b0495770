import type { DuckDBConnection } from '@duckdb/node-api';
import { WorkbenchError } from '../../../shared/api/errors';
import { ParamDecls } from '../../../shared/api/params';
import type { QueryTarget } from '../../../shared/api/query';
import { ChartSettings } from '../../../shared/api/chart';
import { savedFolder, type SavedQuery } from '../../../shared/api/saved-queries';
import { qualifiedName } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from './history';
import type { SerialQueue } from './serial-queue';

const TABLE = qualifiedName(INTERNAL_SCHEMA, 'saved_query');
const COLUMNS = `name, folder, sql, target, params, chart, epoch_ms(created_at), epoch_ms(updated_at)`;

export interface SaveRequest {
  name: string;
  sql: string;
  target: QueryTarget;
  params: SavedQuery['params'];
  /** Undefined: keep the chart settings of the query saved over. */
  chart?: SavedQuery['chart'] | undefined;
  overwrite: boolean;
}

function notFound(name: string): WorkbenchError {
  return new WorkbenchError('NOT_FOUND', `There is no saved query named "${name}". List them with \`queries list\` or in the Saved panel.`);
}

function inUse(name: string): WorkbenchError {
  return new WorkbenchError('CONFLICT', `A saved query named "${name}" already exists. Choose another name, or save over it.`);
}

/** JSON text from the table, as what `schema` accepts; anything else (a hand-edited row) as `fallback`. */
function parseJson<T>(text: unknown, parse: (v: unknown) => { success: true; data: T } | { success: false }, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    const parsed = parse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

function toSaved(row: readonly unknown[]): SavedQuery {
  return {
    name: String(row[0]),
    folder: String(row[1]),
    sql: String(row[2]),
    target: row[3] === 'hot' ? 'hot' : 'workspace',
    params: parseJson(row[4], (v) => ParamDecls.safeParse(v), []),
    chart: parseJson(row[5], (v) => ChartSettings.nullable().safeParse(v), null),
    createdAt: new Date(Number(row[6])).toISOString(),
    updatedAt: new Date(Number(row[7])).toISOString(),
  };
}

/**
 * Saved queries, kept in the workspace database (`_workbench.saved_query`) so desktop, web and CLI share them. Names
 * arrive normalized (see savedNameProblem); the folder is the part before the last `/`.
 */
export class SavedQueries {
  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly queue: SerialQueue,
  ) {}

  /** Creates the table at workspace open (never on a read path: concurrent creates conflict in DuckDB). */
  static async open(connection: DuckDBConnection, queue: SerialQueue): Promise<SavedQueries> {
    await queue.run(() =>
      connection.run(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (
           name VARCHAR PRIMARY KEY,
           folder VARCHAR NOT NULL,
           sql VARCHAR NOT NULL,
           target VARCHAR NOT NULL,
           params VARCHAR NOT NULL,
           chart VARCHAR,
           created_at TIMESTAMPTZ NOT NULL,
           updated_at TIMESTAMPTZ NOT NULL
         )`,
      ),
    );
    return new SavedQueries(connection, queue);
  }

  list(): Promise<SavedQuery[]> {
    return this.queue.run(async () => {
      const reader = await this.connection.runAndReadAll(`SELECT ${COLUMNS} FROM ${TABLE} ORDER BY folder, name`);
      return reader.getRows().map(toSaved);
    });
  }

  get(name: string): Promise<SavedQuery> {
    return this.queue.run(async () => {
      const found = await this.find(name);
      if (!found) throw notFound(name);
      return found;
    });
  }

  save(request: SaveRequest): Promise<SavedQuery> {
    return this.queue.run(async () => {
      const existing = await this.find(request.name);
      if (existing && !request.overwrite) throw inUse(request.name);
      const params = JSON.stringify(request.params);
      const keptChart = request.chart === undefined ? (existing?.chart ?? null) : request.chart;
      const chart = keptChart === null ? null : JSON.stringify(keptChart);
      if (existing) {
        await this.connection.run(
          `UPDATE ${TABLE} SET sql = $2, target = $3, params = $4, chart = $5, updated_at = now() WHERE name = $1`,
          [request.name, request.sql, request.target, params, chart],
        );
      } else {
        await this.connection.run(`INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, $5, $6, now(), now())`, [
          request.name,
          savedFolder(request.name),
          request.sql,
          request.target,
          params,
          chart,
        ]);
      }
      return (await this.find(request.name)) ?? Promise.reject(notFound(request.name));
    });
  }

  rename(from: string, to: string): Promise<SavedQuery> {
    return this.queue.run(async () => {
      const existing = await this.find(from);
      if (!existing) throw notFound(from);
      if (from === to) return existing;
      if (await this.find(to)) throw inUse(to);
      await this.connection.run(`UPDATE ${TABLE} SET name = $2, folder = $3, updated_at = now() WHERE name = $1`, [
        from,
        to,
        savedFolder(to),
      ]);
      return (await this.find(to)) ?? Promise.reject(notFound(to));
    });
  }

  delete(name: string): Promise<boolean> {
    return this.queue.run(async () => {
      if (!(await this.find(name))) throw notFound(name);
      await this.connection.run(`DELETE FROM ${TABLE} WHERE name = $1`, [name]);
      return true;
    });
  }

  /** Inside the queue only. */
  private async find(name: string): Promise<SavedQuery | null> {
    const reader = await this.connection.runAndReadAll(`SELECT ${COLUMNS} FROM ${TABLE} WHERE name = $1`, [name]);
    const row = reader.getRows()[0];
    return row ? toSaved(row) : null;
  }
}
