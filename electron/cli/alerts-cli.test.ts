import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule, AlertTestReport } from '../../shared/api/alerts';
import { runCli } from '../core/testing/cli-process.fixture';

/** The alerts command in real processes on a workspace without PostgreSQL (the rules live in the workspace database). */
const ENV = { BATTERY_WORKBENCH_HOT: 'off' };
let ws: string;

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bw-cli-alerts-'));
});

afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

describe('battery-workbench alerts (real DuckDB, real processes)', () => {
  it('lists the shipped rules, changes one, and refuses bad input with exit 2, storing nothing', async () => {
    const list = await runCli(['alerts', 'list', '--json', '--workspace', ws], ENV);
    expect(list.code, list.stderr).toBe(0);
    const rules = (JSON.parse(list.stdout) as { rules: AlertRule[] }).rules;
    expect(rules.map((r) => r.id)).toEqual(['jar-hotspot', 'jar-voltage-low', 'string-spread-high']);

    const set = await runCli(
      ['alerts', 'set', '--rule', 'jar-hotspot', '--threshold', '6.5', '--for', '90', '--disable', '--workspace', ws],
      ENV,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/jar-hotspot\s+│?\s*no/);

    const badSql = await runCli(
      [
        'alerts',
        'set',
        '--rule',
        'mine',
        '--title',
        'Mine',
        '--key',
        'battery',
        '--op',
        'above',
        '--threshold',
        '1',
        '--sql',
        'DROP TABLE battery',
        '--workspace',
        ws,
      ],
      ENV,
    );
    expect(badSql.code).toBe(2);
    expect(badSql.stderr).toMatch(/SQL/);
    expect((await runCli(['alerts', 'set', '--rule', 'jar-hotspot', '--for', 'soon', '--workspace', ws], ENV)).code).toBe(2);
    expect((await runCli(['alerts', 'test', '--workspace', ws], ENV)).stderr).toMatch(/needs --rule/);

    const after = JSON.parse((await runCli(['alerts', 'list', '--json', '--workspace', ws], ENV)).stdout) as { rules: AlertRule[] };
    expect(after.rules.map((r) => r.id)).not.toContain('mine');
    expect(after.rules.find((r) => r.id === 'jar-hotspot')).toMatchObject({ threshold: 6.5, forMinutes: 90, enabled: false });
  }, 120_000);

  it('dry-runs a rule over a range with no readings, and keeps the hook the command line sets', async () => {
    const test = await runCli(
      [
        'alerts',
        'test',
        '--rule',
        'string-spread-high',
        '--from',
        '2024-01-01T00:00:00Z',
        '--to',
        '2024-01-08T00:00:00Z',
        '--json',
        '--workspace',
        ws,
      ],
      ENV,
    );
    expect(test.code, test.stderr).toBe(0);
    expect((JSON.parse(test.stdout) as AlertTestReport).episodes).toEqual([]);

    const set = await runCli(
      ['alerts', 'hook', '--set', '["/usr/bin/logger", "-t", "bw"]', '--timeout-ms', '5000', '--json', '--workspace', ws],
      ENV,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ hook: { argv: ['/usr/bin/logger', '-t', 'bw'], timeoutMs: 5000 } });
    expect((await runCli(['alerts', 'hook', '--set', '"rm -rf /"', '--workspace', ws], ENV)).code).toBe(2);
    const cleared = await runCli(['alerts', 'hook', '--clear', '--workspace', ws], ENV);
    expect(cleared.stdout).toMatch(/No hook is set/);
  }, 120_000);

  it('run without a hot store fails with a clear message', async () => {
    const run = await runCli(['alerts', 'run', '--workspace', ws], ENV);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PostgreSQL|hot store/i);
  }, 60_000);
});
