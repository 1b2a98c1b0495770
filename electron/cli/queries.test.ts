import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedQuery } from '../../shared/api/saved-queries';
import { runCli } from '../core/testing/cli-process.fixture';

let ws: string;
const inWs = (...args: string[]) => runCli([...args, '--workspace', ws], { BATTERY_WORKBENCH_DEBUG: '' });

/** Runs the CLI and expects it to refuse with `code` and a message containing `message`. */
async function expectRefused(args: string[], code: number, message: string): Promise<void> {
  const r = await inWs(...args);
  expect(r.code).toBe(code);
  expect(r.stderr).toContain(message);
}

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bw-cli-queries-'));
  const setup = await inWs(
    'query',
    "CREATE TABLE site_day (site VARCHAR, day DATE, v DOUBLE); INSERT INTO site_day VALUES ('FRA1', '2025-03-01', 3.5), ('AMS2', '2025-03-01', 3.25), ('FRA1', '2025-03-02', 3.75); SELECT 1",
  );
  expect(setup.stderr).toBe('');
});

afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

describe('battery-workbench queries + query --saved (real DuckDB, real process)', () => {
  it('saves a query with typed parameters, lists it and runs it with --param values', async () => {
    const saved = await inWs(
      'queries',
      'save',
      'fleet/site day',
      '--sql',
      'SELECT site, v FROM site_day WHERE site = $site AND day = $day ORDER BY v',
      '--param',
      'site:choice=SELECT DISTINCT site FROM site_day',
      '--param',
      'day:date',
    );
    expect(saved.stderr).toContain('Saved "fleet/site day"');
    expect(saved.code).toBe(0);

    const listed = await inWs('queries', 'list', '--json');
    expect(listed.code).toBe(0);
    const queries = JSON.parse(listed.stdout) as SavedQuery[];
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ name: 'fleet/site day', folder: 'fleet', target: 'workspace' });
    expect(queries[0].params).toEqual([
      { name: 'site', type: 'choice', choicesSql: 'SELECT DISTINCT site FROM site_day' },
      { name: 'day', type: 'date' },
    ]);
    const plain = await inWs('queries', 'list');
    expect(plain.stdout).toContain('fleet/site day\tworkspace\t$site:choice $day:date');

    const ran = await inWs('query', '--saved', 'fleet/site day', '--param', 'site=FRA1', '--param', 'day=2025-03-02', '--json');
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual([{ site: 'FRA1', v: 3.75 }]);
  });

  it('refuses a bad value, a value not among the choices and a missing parameter by name', async () => {
    await expectRefused(
      ['query', '--saved', 'fleet/site day', '--param', 'site=FRA1', '--param', 'day=March 2'],
      1,
      '$day must be a date written YYYY-MM-DD',
    );
    await expectRefused(
      ['query', '--saved', 'fleet/site day', '--param', "site=x'; DROP TABLE site_day; --", '--param', 'day=2025-03-02'],
      1,
      '$site must be one of its choices',
    );
    await expectRefused(['query', '--saved', 'fleet/site day', '--param', 'site=FRA1'], 1, 'the parameter $day but no value was given');
    await expectRefused(['query', '--saved', 'nope', '--param', 'site=FRA1'], 1, 'no saved query named "nope"');
    const table = await inWs('query', 'SELECT count(*) AS n FROM site_day', '--json');
    expect(JSON.parse(table.stdout)).toEqual([{ n: 3 }]);
  });

  it('refuses bad usage with exit code 2, a duplicate name with 1, and deletes', async () => {
    await expectRefused(
      ['queries', 'save', 'x', '--sql', 'SELECT $a', '--param', 'a:float'],
      2,
      'text, integer, number, date, timestamp, choice',
    );
    await expectRefused(['queries', 'save', 'x'], 2, 'queries save needs the query');
    await expectRefused(['query', 'SELECT 1', '--saved', 'fleet/site day'], 2, 'either SQL or --saved NAME');
    await expectRefused(['queries', 'save', 'fleet/site day', '--sql', 'SELECT 2'], 1, '"fleet/site day" already exists');
    await expectRefused(['queries', 'save', ' ', '--sql', 'SELECT 2'], 1, 'name is empty');

    const deleted = await inWs('queries', 'delete', 'fleet/site day');
    expect(deleted.code).toBe(0);
    await expectRefused(['queries', 'delete', 'fleet/site day'], 1, 'no saved query named "fleet/site day"');
    expect(JSON.parse((await inWs('queries', 'list', '--json')).stdout)).toEqual([]);
  });
});
