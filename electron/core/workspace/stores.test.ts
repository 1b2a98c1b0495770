import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../shared/api/errors';
import type { SettingsInfo } from '../../../shared/api/settings';
import { runCli } from '../testing/cli-process.fixture';
import { openWorkbench, type Workbench } from '../workbench';
import { workspacePaths } from './paths';
import { LAKE_S3_KEYS_SECRET, MemorySecretStore } from './secrets';
import { readSettingsFile, writeSettingsFile } from './settings';
import { resolveStores } from './stores';

const made: string[] = [];
afterAll(async () => {
  for (const d of made.reverse()) await rm(d, { recursive: true, force: true, maxRetries: 3 });
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

async function dispatch(wb: Workbench, channel: string, request: unknown) {
  return wb.dispatch(channel, request, { transport: 'test' });
}

async function call<T>(wb: Workbench, channel: string, request: unknown): Promise<T> {
  const res = await dispatch(wb, channel, request);
  if (!res.ok) throw new WorkbenchError(res.error.code, res.error.message, res.error.detail);
  return res.value as T;
}

const S3_LAKE = {
  kind: 's3',
  url: 's3://fleet-lake/eu/plant-1',
  region: 'eu-central-1',
  endpoint: 'http://127.0.0.1:9000',
  cache: { maxBytes: 5e9 },
};

describe('settings.json lake', () => {
  it('takes a folder (kind optional) or an S3 lake; the URL and endpoint are checked on read and write', async () => {
    const ws = await tempDir('bw-lake-set-');
    const file = join(ws, 'settings.json');
    for (const lake of [{ path: 'x' }, { kind: 'local', path: '/data/lake' }, {}, S3_LAKE, { kind: 's3', url: 's3://fleet-lake' }]) {
      await writeFile(file, JSON.stringify({ hot: { kind: 'embedded' }, lake }));
      expect(await readSettingsFile(file)).toEqual({ hot: { kind: 'embedded' }, lake });
      await writeSettingsFile(file, { hot: { kind: 'embedded' }, lake: lake as never });
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ hot: { kind: 'embedded' }, lake });
    }

    const refused: [unknown, RegExp][] = [
      [{ kind: 's3', url: 'https://fleet-lake/eu' }, /lake\.url: The S3 lake URL must look like s3:\/\/bucket\/prefix/],
      [{ kind: 's3', url: 's3://Fleet_Lake/eu' }, /lake\.url: "Fleet_Lake" is not a valid S3 bucket name/],
      [{ kind: 's3', url: 's3://fleet-lake', endpoint: 'ftp://host' }, /lake\.endpoint: The S3 endpoint must start with http/],
      [
        { kind: 's3', url: 's3://fleet-lake', endpoint: 'http://AKIAEXAMPLE:Secret-Key@127.0.0.1:9000' },
        /lake\.endpoint: The S3 endpoint carries a secret/,
      ],
      // No field for a key, whatever it is called.
      [{ kind: 's3', url: 's3://fleet-lake', secretAccessKey: 'Secret-Key' }, /lake: Unrecognized key: "secretAccessKey"/],
      [{ kind: 's3', url: 's3://fleet-lake', accessKeyId: 'AKIAEXAMPLE' }, /lake: Unrecognized key: "accessKeyId"/],
      [{ kind: 's3', url: 's3://fleet-lake', cache: { maxBytes: -1 } }, /lake\.cache\.maxBytes/],
      [{ kind: 's3', url: 's3://fleet-lake', path: '/x' }, /lake: Unrecognized key: "path"/],
      [{ kind: 'gcs', url: 'gs://x' }, /lake\.kind/],
    ];
    for (const [lake, message] of refused) {
      await writeFile(file, JSON.stringify({ hot: { kind: 'embedded' }, lake }));
      await expect(readSettingsFile(file), JSON.stringify(lake)).rejects.toThrow(message);
      await writeFile(file, 'untouched');
      await expect(writeSettingsFile(file, { hot: { kind: 'embedded' }, lake: lake as never }), JSON.stringify(lake)).rejects.toThrow();
      expect(await readFile(file, 'utf8')).toBe('untouched');
    }
    // What a refusal says never repeats the secret.
    await writeFile(file, JSON.stringify({ hot: { kind: 'embedded' }, lake: refused[3]?.[0] }));
    const err = await readSettingsFile(file).catch((e: unknown) => e as Error);
    expect(String(err)).not.toContain('Secret-Key');
  });
});

describe('the lake a run uses', () => {
  it('settings: a folder, the default, or S3 read through <workspace>/lake-cache', async () => {
    const ws = await tempDir('bw-lake-res-');
    const paths = workspacePaths(ws);
    let r = await resolveStores({ paths });
    expect(r.lake).toEqual({ kind: 'local', path: paths.lake });
    expect(r.lakeSource).toBe('default');
    expect(r.lakeDir).toBe(paths.lake);

    await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: { path: 'elsewhere' } }));
    r = await resolveStores({ paths });
    expect(r.lake).toEqual({ kind: 'local', path: join(ws, 'elsewhere') });
    expect(r.lakeSource).toBe('settings');

    await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: S3_LAKE }));
    r = await resolveStores({ paths });
    expect(r.lake).toEqual({ kind: 's3', settings: S3_LAKE, cacheDir: join(ws, 'lake-cache') });
    expect(r.lakeDir).toBe(join(ws, 'lake-cache'));

    // The desktop keychain's key rides along; never in the settings.
    const secrets = new MemorySecretStore();
    await secrets.set(LAKE_S3_KEYS_SECRET, JSON.stringify({ accessKeyId: 'AKIAKEYCHAIN', secretAccessKey: 'From-The-Keychain' }));
    r = await resolveStores({ paths, secrets });
    expect(r.lake).toEqual({
      kind: 's3',
      settings: S3_LAKE,
      cacheDir: join(ws, 'lake-cache'),
      keys: { accessKeyId: 'AKIAKEYCHAIN', secretAccessKey: 'From-The-Keychain' },
    });
    expect(JSON.stringify(r.settings)).not.toContain('From-The-Keychain');
    // An unreadable stored key is reported, not thrown: the AWS chain is used instead.
    await secrets.set(LAKE_S3_KEYS_SECRET, 'garbage');
    r = await resolveStores({ paths, secrets });
    expect(r.secretProblem).toMatch(/S3 key kept in memory is not readable/);
    expect(r.lake).toEqual({ kind: 's3', settings: S3_LAKE, cacheDir: join(ws, 'lake-cache') });
  });

  it('--lake wins for one run: a folder from the cwd, or s3:// with region, endpoint and cache from the settings S3 lake', async () => {
    const ws = await tempDir('bw-lake-flag-');
    const cwd = await tempDir('bw-lake-cwd-');
    const paths = workspacePaths(ws);

    let r = await resolveStores({ paths, lakeFlag: 'shared/lake', cwd });
    expect(r.lake).toEqual({ kind: 'local', path: join(cwd, 'shared', 'lake') });
    expect(r.lakeSource).toBe('flag');
    expect(r.lakeDir).toBe(join(cwd, 'shared', 'lake'));

    // No S3 lake in settings: only the URL; region and endpoint come from the environment when the lake opens.
    r = await resolveStores({ paths, lakeFlag: 's3://other-lake/x', cwd });
    expect(r.lake).toEqual({ kind: 's3', settings: { kind: 's3', url: 's3://other-lake/x' }, cacheDir: join(ws, 'lake-cache') });

    await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: S3_LAKE }));
    r = await resolveStores({ paths, lakeFlag: 's3://other-lake/x', cwd });
    expect(r.lake).toEqual({
      kind: 's3',
      settings: { ...S3_LAKE, url: 's3://other-lake/x' },
      cacheDir: join(ws, 'lake-cache'),
    });
    // A folder flag over an S3 setting.
    r = await resolveStores({ paths, lakeFlag: '/mnt/lake', cwd });
    expect(r.lake).toEqual({ kind: 'local', path: '/mnt/lake' });

    for (const [flag, message] of [
      ['s3://', /must look like s3:\/\/bucket\/prefix/],
      ['s3://Bad_Bucket/x', /not a valid S3 bucket name/],
      ['https://bucket.s3.amazonaws.com/x', /--lake takes a folder or an s3:\/\/bucket\/prefix URL/],
      ['  ', /--lake needs a folder or an s3:\/\/bucket\/prefix URL/],
    ] as const) {
      await expect(resolveStores({ paths, lakeFlag: flag, cwd }), flag).rejects.toThrow(message);
    }
  });

  it('an opened workbench uses --lake; settings.get shows it and its source; the data platform gets the S3 location', async () => {
    const ws = await tempDir('bw-lake-wb-');
    const other = await tempDir('bw-lake-other-');
    let wb = await openWorkbench({ workspaceDir: ws, entry: 'test', lakeFlag: other });
    try {
      expect((await wb.data.status()).lake.location).toBe(other);
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.running.lake).toBe(other);
      expect(info.running.lakeSource).toBe('flag');
      expect(info.restartRequired).toBe(false);
    } finally {
      await wb.close();
    }
    // An S3 lake reaches the data platform (which cannot open one until the S3 backend is wired).
    wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      await call(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { kind: 's3', url: 's3://fleet-lake/eu', endpoint: 'http://127.0.0.1:9' },
      });
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.settings.lake).toEqual({ kind: 's3', url: 's3://fleet-lake/eu', endpoint: 'http://127.0.0.1:9' });
      expect(info.restartRequired).toBe(true);
    } finally {
      await wb.close();
    }
    const opened = await openWorkbench({ workspaceDir: ws, entry: 'test' }).then(
      async (w) => {
        await w.close();
        return 'opened';
      },
      (err: unknown) => String(err),
    );
    expect(opened === 'opened' || opened.includes('S3 lake')).toBe(true);
  });
});

describe('--lake on the command line', () => {
  it('query, demo and archive take it: the run reads that lake; a bad value is refused naming it', async () => {
    const ws = await tempDir('bw-lake-cli-');
    const other = await tempDir('bw-lake-cli-other-');
    const env = { BATTERY_WORKBENCH_WORKSPACE: '', BATTERY_WORKBENCH_HOT: 'off' };
    const ok = await runCli(['query', "SELECT 'x' AS v", '--json', '--workspace', ws, '--lake', join(other, 'lake')], env);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout)).toEqual([{ v: 'x' }]);
    expect((await stat(join(other, 'lake'))).isDirectory()).toBe(true);
    await expect(stat(join(ws, 'lake'))).rejects.toThrow();

    for (const command of [['query', 'SELECT 1'], ['archive', '--older-than', '7d', '--dry-run'], ['demo']]) {
      const bad = await runCli([...command, '--workspace', ws, '--lake', 's3://Not_A_Bucket/x'], env);
      expect(bad.code, command[0]).toBe(1);
      expect(bad.stderr).toMatch(/"Not_A_Bucket" is not a valid S3 bucket name/);
    }
  });
});

describe('settings.set with an S3 lake', () => {
  it('saves the lake without a key; a key goes to the keychain only (refused without one), never into settings.json', async () => {
    const ws = await tempDir('bw-lake-keys-');
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const lake = {
      kind: 's3',
      url: ' s3://fleet-lake/eu/ ',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000/',
      cache: { maxBytes: 2 * 1024 ** 3 },
    };
    // Web host / CLI: no keychain, the key is refused and nothing is saved; without it the lake is saved.
    let wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const refused = await dispatch(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret },
      });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.message).toMatch(/cannot keep an S3 key.*AWS_ACCESS_KEY_ID/);
      await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
      const badEndpoint = await dispatch(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, endpoint: `http://AKIAEXAMPLE:${secret}@127.0.0.1:9000` },
      });
      expect(badEndpoint.ok).toBe(false);
      if (!badEndpoint.ok) expect(badEndpoint.error.message).toMatch(/endpoint carries a secret/);
      expect(JSON.stringify(badEndpoint)).not.toContain(secret);
      await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
      await call(wb, 'settings.set', { hot: { kind: 'embedded' }, lake });
      expect(JSON.parse(await readFile(join(ws, 'settings.json'), 'utf8'))).toEqual({
        hot: { kind: 'embedded' },
        lake: {
          kind: 's3',
          url: 's3://fleet-lake/eu/',
          region: 'eu-west-1',
          endpoint: 'http://127.0.0.1:9000',
          cache: { maxBytes: 2 * 1024 ** 3 },
        },
      });
    } finally {
      await wb.close();
    }

    // Desktop: the key goes to the secret store; one half alone is refused. (This run uses a folder lake: the
    // settings now name an S3 lake.)
    const secrets = new MemorySecretStore();
    wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets, lakeFlag: join(ws, 'lake') });
    try {
      const half = await dispatch(wb, 'settings.set', { hot: { kind: 'embedded' }, lake: { ...lake, secretAccessKey: secret } });
      expect(half.ok).toBe(false);
      if (!half.ok) expect(half.error.message).toMatch(/needs both the access key id and the secret access key/);
      const res = await call<{ settings: SettingsInfo }>(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret },
      });
      expect(res.settings.lakeKeysStored).toBe(true);
      expect(JSON.parse((await secrets.get(LAKE_S3_KEYS_SECRET)) ?? '')).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret });
      expect(await readFile(join(ws, 'settings.json'), 'utf8')).not.toMatch(/AKIAEXAMPLE|wJalr/);
      // Saved again without key fields: the stored key stays; '' removes it; a folder lake drops it too.
      await call(wb, 'settings.set', { hot: { kind: 'embedded' }, lake });
      expect(await secrets.get(LAKE_S3_KEYS_SECRET)).toBeDefined();
      await call(wb, 'settings.set', { hot: { kind: 'embedded' }, lake: { ...lake, accessKeyId: '', secretAccessKey: '' } });
      expect(await secrets.get(LAKE_S3_KEYS_SECRET)).toBeUndefined();
      await call(wb, 'settings.set', { hot: { kind: 'embedded' }, lake: { ...lake, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret } });
      const local = await call<{ settings: SettingsInfo }>(wb, 'settings.set', { hot: { kind: 'embedded' }, lake: { path: 'lake2' } });
      expect(local.settings.settings.lake).toEqual({ path: join(ws, 'lake2') });
      expect(local.settings.lakeKeysStored).toBe(false);
      expect(await secrets.get(LAKE_S3_KEYS_SECRET)).toBeUndefined();
    } finally {
      await wb.close();
    }
  });
});
