import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../core/testing/cli-process.fixture';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The CLI run to its end, debug output off. */
const cli = (args: string[]) => runCli(args, { BATTERY_WORKBENCH_DEBUG: '' });

describe('battery-workbench convert: quality warnings and --strict (real process)', () => {
  let dir: string;
  let csv: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-cli-quality-'));
    csv = join(dir, 'tel.csv');
    await writeFile(
      csv,
      'battery_id,ts,voltage_v,temperature_c,resistance_mohm\n' +
        '1,2024-05-01 00:00:00,13.5,25.0,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,99.0,3.2\n' +
        '1,2024-05-01 00:05:00,13.5,25.0,3.2\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the warnings and converts without --strict', async () => {
    const out = join(dir, 'out');
    const r = await cli(['convert', csv, '--out', out, '--workspace', join(dir, 'ws1')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 quality warning(s):');
    expect(r.stdout).toContain('1 reading(s) repeat a time the jar already has.');
    expect(r.stdout).toContain('1 temperature reading(s) outside -40 to 80 degC.');
    expect(r.stdout).toContain('row 2: battery_id 1 at 2024-05-01 00:05:00: 99.0 degC');
    expect(await readdir(out)).toEqual(['tel.parquet']);
  });

  it('fails the file with --strict, exit 1, and writes nothing', async () => {
    const out = join(dir, 'strict-out');
    const r = await cli(['convert', csv, '--out', out, '--strict', '--workspace', join(dir, 'ws2')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed the quality checks (strict)');
    expect(r.stderr).toContain('Nothing was written.');
    expect(r.stdout).toBe('');
    expect(await readdir(out)).toEqual([]);
  });
});

describe('battery-workbench export --spec --format (real process)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bw-cli-bdf-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts --format bdf into the spec, whose check names the field; other formats are usage errors', async () => {
    const spec = join(dir, 'strings.json');
    await writeFile(spec, JSON.stringify({ dataset: 'string_telemetry', from: '2024-05-01', to: '2024-05-02' }));
    const bdf = await cli(['export', '--spec', spec, '--format', 'bdf', '--workspace', join(dir, 'ws')]);
    expect(bdf.code).toBe(2);
    expect(bdf.stderr).toContain('format: bdf is written from telemetry (one file per jar), not string_telemetry');
    const csv = await cli(['export', '--spec', spec, '--format', 'csv', '--workspace', join(dir, 'ws')]);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toContain('--format with --spec must be parquet or bdf, not "csv".');
  });
});
