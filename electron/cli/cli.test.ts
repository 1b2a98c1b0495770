import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function cli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(TSX, [join(ROOT, 'electron', 'cli', 'index.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, BATTERY_WORKBENCH_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('battery-workbench query (real DuckDB, real process)', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'bw-cli-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('--json prints row objects with BIGINT exact and text verbatim', async () => {
    const sql = `SELECT 9223372036854775807::BIGINT AS big, (-9223372036854775808)::BIGINT AS small, 18446744073709551615::UBIGINT AS u,
      '<img src=x onerror=alert(1)> "q" \\' AS s, NULL::INTEGER AS n, 1.25::DOUBLE AS d, 123456789012345678901234567890::HUGEINT AS h`;
    const r = await cli(['query', sql, '--workspace', workspace, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"big":9223372036854775807');
    expect(r.stdout).toContain('"small":-9223372036854775808');
    expect(r.stdout).toContain('"u":18446744073709551615');
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0].s).toBe('<img src=x onerror=alert(1)> "q" \\');
    expect(rows[0].n).toBeNull();
    expect(rows[0].d).toBe(1.25);
    expect(rows[0].h).toBe('123456789012345678901234567890');
  });

  it('streams many rows as JSON in windows', async () => {
    const r = await cli(['query', 'SELECT range AS n FROM range(120000)', '--workspace', workspace, '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { n: number }[];
    expect(rows).toHaveLength(120000);
    expect(rows[119999].n).toBe(119999);
  });

  it('prints TSV when piped, reads SQL from stdin with -, and runs the last of several statements', async () => {
    const r = await cli(['query', '-', '--workspace', workspace], "CREATE TEMP TABLE t AS SELECT 1 AS a; SELECT a, 'x' AS b FROM t;");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\tb\n1\tx\n');
  });

  it('fails with exit code 1 and the engine message on stderr, no stack trace', async () => {
    const r = await cli(['query', 'SELECT * FROM no_such_table', '--workspace', workspace]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no_such_table');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects bad usage with exit code 2 and shows help', async () => {
    const bad = await cli(['query', '--on', 'mars', 'SELECT 1', '--workspace', workspace]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--on must be');
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command');
    const help = await cli(['query', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: battery-workbench query');
    expect(help.stdout).toMatch(/--lake DIR\|S3URL +The lake for this run/);
  });
});
