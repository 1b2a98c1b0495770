import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INTERNAL_SCHEMA } from '../engine/history';
import { ConversionHistory } from './history';

const REPORT = { inputs: [], outputs: [], rows: 0, bytesIn: 0, bytesOut: 0 } as never;

async function withDb<T>(path: string, use: (history: ConversionHistory, run: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    return await use(new ConversionHistory(conn), async (sql) => void (await conn.run(sql)));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('conversion history (real DuckDB file)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-history-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a new workspace opens again after a session that left its WAL', async () => {
    const path = join(dir, 'workspace.duckdb');
    await withDb(path, async (history, run) => {
      await run('PRAGMA disable_checkpoint_on_shutdown');
      await history.ensure();
    });
    const rows = await withDb(path, async (history) => {
      await history.ensure();
      return history.list(10);
    });
    expect(rows).toEqual([]);
  });

  it('keeps error codes, and a workspace from before them gains the column and opens again', async () => {
    const path = join(dir, 'workspace.duckdb');
    // The table as it was before error codes were kept, with a failed row in it.
    await withDb(path, async (_history, run) => {
      await run(`CREATE SCHEMA ${INTERNAL_SCHEMA}`);
      await run(`CREATE SEQUENCE ${INTERNAL_SCHEMA}.conversion_history_id`);
      await run(`CREATE TABLE ${INTERNAL_SCHEMA}.conversion_history (
        id BIGINT PRIMARY KEY DEFAULT nextval('${INTERNAL_SCHEMA}.conversion_history_id'),
        started_at TIMESTAMPTZ NOT NULL, report JSON NOT NULL, error VARCHAR)`);
      await run(
        `INSERT INTO ${INTERNAL_SCHEMA}.conversion_history (started_at, report, error) VALUES (now(), '{}', 'Cancelled by the user.')`,
      );
      await run('CHECKPOINT');
    });
    // A session that ends the way a CLI process does (no checkpoint at exit) leaves its changes in the WAL.
    await withDb(path, async (history, run) => {
      await run('PRAGMA disable_checkpoint_on_shutdown');
      await history.ensure();
      await history.record(new Date(), REPORT, { code: 'BAD_INPUT', message: 'bad row' });
    });
    // Opening again replays that WAL.
    const rows = await withDb(path, async (history) => {
      await history.ensure();
      return history.list(10);
    });
    expect(rows.map((r) => [r.error, r.errorCode])).toEqual([
      ['bad row', 'BAD_INPUT'],
      ['Cancelled by the user.', 'CANCELLED'],
    ]);
  });
});
