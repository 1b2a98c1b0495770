import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../core/testing/cli-process.fixture';

describe('battery-workbench history (real DuckDB, real process)', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'bw-cli-history-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('lists query runs newest first as JSON, each with its result fingerprint', async () => {
    for (const sql of ['SELECT 1 AS a', 'SELECT range AS n FROM range(1000) ORDER BY n', 'SELECT 1 AS a']) {
      const q = await runCli(['query', sql, '--workspace', workspace, '--json']);
      expect(q.code, q.stderr).toBe(0);
    }
    const failed = await runCli(['query', 'SELECT * FROM cli_no_such_table', '--workspace', workspace]);
    expect(failed.code).toBe(1);

    const r = await runCli(['history', '--workspace', workspace, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(entries.map((e) => e.sql)).toEqual([
      'SELECT * FROM cli_no_such_table',
      'SELECT 1 AS a',
      'SELECT range AS n FROM range(1000) ORDER BY n',
      'SELECT 1 AS a',
    ]);
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(
        ['coldDays', 'elapsedMs', 'error', 'hotWatermark', 'params', 'resultHash', 'rows', 'sql', 'startedAt', 'target'].sort(),
      );
      expect(e.params).toEqual({});
      expect(e.target).toBe('workspace');
      expect(typeof e.elapsedMs).toBe('number');
      expect(Number.isNaN(Date.parse(String(e.startedAt)))).toBe(false);
    }
    const [fail, again, ordered, first] = entries;
    expect(fail).toMatchObject({ rows: null, resultHash: null });
    expect(String(fail.error)).toContain('cli_no_such_table');
    expect(ordered).toMatchObject({ rows: 1000, error: null });
    expect(first.rows).toBe(1);
    // The same query over the same data: the same fingerprint, also across processes.
    expect(first.resultHash).toMatch(/^[0-9a-f]{64}$/);
    expect(again.resultHash).toBe(first.resultHash);
    expect(ordered.resultHash).not.toBe(first.resultHash);
  });

  it('--limit keeps the newest N; the table form shows the fingerprint shortened', async () => {
    const r = await runCli(['history', '--workspace', workspace, '--json', '--limit', '2']);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as { sql: string }[];
    expect(entries.map((e) => e.sql)).toEqual(['SELECT * FROM cli_no_such_table', 'SELECT 1 AS a']);
    const table = await runCli(['history', '--workspace', workspace, '--limit', '3']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('fingerprint');
    expect(table.stdout).toMatch(/\b[0-9a-f]{12}\b/);
    expect(table.stdout).not.toMatch(/[0-9a-f]{13}/);
  });

  it('rejects a bad --limit with exit code 2 and a clear message, reading nothing', async () => {
    for (const bad of ['0', '-3', 'ten', '2.5', '1001']) {
      const r = await runCli(['history', '--workspace', workspace, `--limit=${bad}`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`--limit must be a whole number from 1 to 1000, not "${bad}"`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const extra = await runCli(['history', 'SELECT 1', '--workspace', workspace]);
    expect(extra.code).toBe(2);
    const help = await runCli(['history', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: battery-workbench history [--limit N] [--json]');
  });
});
