import type { DuckDBConnection } from '@duckdb/node-api';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { INTERNAL_SCHEMA } from '../engine/history';
import type { Statement } from '../mirror/meta';

const TABLE = qualifiedName(INTERNAL_SCHEMA, 'lake_intent');

/**
 * A multi-step lake write (a compaction's swap, a conversion's publish) as recorded before each step, in the
 * workspace database: the next run, or `lake check --repair`, finishes or undoes whatever a killed one left.
 * `done` and `undone` are final.
 */
export interface LakeIntent<P = unknown> {
  id: string;
  job: 'compact' | 'convert' | 'features' | 'calc' | 'retention' | 'tier';
  dataset: string;
  state: string;
  /** The lake files the job publishes, hides or removes: while it is unfinished they are its, not strays. */
  keys: string[];
  /** Local temp files it resumes from: no sweep removes them while it is unfinished. */
  temps: string[];
  payload: P;
}

const FINAL = ['done', 'undone'];

export class LakeIntents {
  constructor(private readonly conn: DuckDBConnection) {}

  async ensure(): Promise<void> {
    await this.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INTERNAL_SCHEMA)}`);
    await this.conn.run(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (id VARCHAR PRIMARY KEY, job VARCHAR NOT NULL, dataset VARCHAR NOT NULL, state VARCHAR NOT NULL,
         payload JSON NOT NULL, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
  }

  /** The statement recording `intent` (to commit together with a view switch). */
  saveSql(intent: LakeIntent): Statement {
    return {
      sql: `INSERT INTO ${TABLE} (id, job, dataset, state, payload) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO UPDATE SET state = excluded.state, payload = excluded.payload, updated_at = now()`,
      values: [
        intent.id,
        intent.job,
        intent.dataset,
        intent.state,
        JSON.stringify({ keys: intent.keys, temps: intent.temps, payload: intent.payload }),
      ],
    };
  }

  async save(intent: LakeIntent): Promise<void> {
    const s = this.saveSql(intent);
    await this.conn.run(s.sql, s.values);
  }

  /** Intents a killed job left between steps, oldest first. */
  async unfinished(job?: LakeIntent['job']): Promise<LakeIntent[]> {
    const reader = await this.conn.runAndReadAll(
      `SELECT id, job, dataset, state, payload::VARCHAR AS payload FROM ${TABLE} WHERE state NOT IN (${FINAL.map((s) => `'${s}'`).join(', ')})${job ? ' AND job = $1' : ''} ORDER BY started_at, id`,
      job ? [job] : [],
    );
    return reader.getRowObjectsJS().map((r) => {
      const stored = JSON.parse(String(r.payload)) as { keys?: string[]; temps?: string[]; payload?: unknown };
      return {
        id: String(r.id),
        job: String(r.job) as LakeIntent['job'],
        dataset: String(r.dataset),
        state: String(r.state),
        keys: stored.keys ?? [],
        temps: stored.temps ?? [],
        payload: stored.payload,
      };
    });
  }
}
