import { spawn } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../../shared/api/errors';
import type { ConnectionTestResult, SettingsInfo } from '../../../shared/api/settings';
import { HotStore } from '../hot/hot-store';
import { openWorkbench, type Workbench } from '../workbench';
import { EncryptedFileSecretStore, type SecretCipher } from './encrypted-secrets';
import { workspacePaths } from './paths';
import { HOT_PASSWORD_SECRET, LAKE_S3_KEYS_SECRET, MemorySecretStore, writeS3Keys } from './secrets';
import { readSettingsFile, writeSettingsFile } from './settings';
import { resolveStores } from './stores';
import { withoutSecrets } from './test-connection';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const made: string[] = [];
afterAll(async () => {
  for (const d of made.reverse()) await rm(d, { recursive: true, force: true, maxRetries: 3 });
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Every file under `dir` whose bytes contain `needle` (the workspace database included). */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const bytes = Buffer.from(needle, 'utf8');
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await readFile(p)).includes(bytes)) hits.push(p);
    }
  };
  await walk(dir);
  return hits;
}

async function call<T>(wb: Workbench, channel: string, request: unknown): Promise<T> {
  const res = await wb.dispatch(channel, request, { transport: 'test' });
  if (!res.ok) throw new WorkbenchError(res.error.code, res.error.message, res.error.detail);
  return res.value as T;
}

async function callError(wb: Workbench, channel: string, request: unknown): Promise<{ code: string; message: string }> {
  const res = await wb.dispatch(channel, request, { transport: 'test' });
  if (res.ok) throw new Error(`${channel} should have failed`);
  return res.error;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron/cli/index.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, BATTERY_WORKBENCH_WORKSPACE: '', PGPASSWORD: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('settings.json', () => {
  it('is optional, and a broken or unknown file is a clear error naming the file', async () => {
    const ws = await tempDir('bw-set-');
    const file = join(ws, 'settings.json');
    expect(await readSettingsFile(file)).toBeNull();

    await writeFile(file, '{ "hot": { "kind": "embedded" ');
    await expect(readSettingsFile(file)).rejects.toThrow(/settings file .*settings\.json could not be used: it is not valid JSON/);

    await writeFile(file, JSON.stringify({ hot: { kind: 'embedded' }, colour: 'blue' }));
    await expect(readSettingsFile(file)).rejects.toThrow(new RegExp(`${file.replaceAll('/', '\\/')}.*colour`));

    await writeFile(file, JSON.stringify({ hot: { kind: 'external', url: 'mysql://db/x' } }));
    await expect(readSettingsFile(file)).rejects.toThrow(/hot\.url: The PostgreSQL URL must start with postgres:\/\//);

    await writeFile(
      file,
      JSON.stringify({ hot: { kind: 'external', url: 'postgres://me@db.example:5433/fleet' }, lake: { path: '/data/lake' } }),
    );
    expect(await readSettingsFile(file)).toEqual({
      hot: { kind: 'external', url: 'postgres://me@db.example:5433/fleet' },
      lake: { path: '/data/lake' },
    });
  });

  it('a broken file never stops the web host: the hot store stays off and settings.get says why; the CLI refuses', async () => {
    const ws = await tempDir('bw-set-');
    await writeFile(join(ws, 'settings.json'), 'not json at all');
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'web', data: { start: 'lazy', autoSeed: false } });
    try {
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.problem).toContain(join(ws, 'settings.json'));
      expect(info.running.hot).toEqual({ kind: 'none', url: null, source: 'off' });
      const status = await wb.data.status();
      expect(status.hot.kind).toBe('none');
      // Saving repairs it.
      await call(wb, 'settings.set', { hot: { kind: 'embedded' } });
      expect((await call<SettingsInfo>(wb, 'settings.get', {})).problem).toBeNull();
      await writeFile(join(ws, 'settings.json'), '[]');
    } finally {
      await wb.close();
    }
    await expect(openWorkbench({ workspaceDir: ws, entry: 'cli' })).rejects.toThrow(/settings\.json could not be used/);
  });

  it('never holds a secret: a URL carrying one is refused by name (never by value), the password goes only through its own field', async () => {
    const ws = await tempDir('bw-set-');
    const password = 'Sup3r-s3cret:pa/ss@word';
    const plainUrl = 'postgres://fleet@127.0.0.1:1/fleetdb';
    const q = encodeURIComponent(password);
    // Each kind of secret a URL can carry, and the name the refusal must give.
    const secretUrls: [string, string][] = [
      [`postgres://fleet:${q}@127.0.0.1:1/fleetdb`, 'a password (user:password@host)'],
      [`${plainUrl}?password=${q}`, 'the parameter password='],
      [`${plainUrl}?sslmode=require&sslpassword=${q}`, 'the parameter sslpassword='],
      [`${plainUrl}?sslkey=/home/fleet/${q}.key`, 'the parameter sslkey='],
      [`${plainUrl}?passfile=/home/fleet/${q}`, 'the parameter passfile='],
      [`${plainUrl}?PWD=${q}`, 'the parameter PWD='],
    ];
    const secrets = new MemorySecretStore();

    // Web host / CLI (no secret store) and desktop (a secret store) alike: refused, nothing written or kept.
    for (const store of [undefined, secrets]) {
      const wb = await openWorkbench({ workspaceDir: ws, entry: 'test', ...(store ? { secrets: store } : {}) });
      try {
        for (const [url, named] of secretUrls) {
          for (const channel of ['settings.set', 'settings.testConnection']) {
            const err = await callError(wb, channel, channel === 'settings.set' ? { hot: { kind: 'external', url } } : { url });
            expect(err.code, `${channel} ${named}`).toBe('BAD_INPUT');
            expect(err.message).toContain(named);
            expect(err.message).toContain('PGPASSWORD');
            for (const needle of [password, q, 'Sup3r-s3cret']) expect(JSON.stringify(err)).not.toContain(needle);
          }
        }
        await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
        expect(await secrets.get(HOT_PASSWORD_SECRET)).toBeUndefined();
      } finally {
        await wb.close();
      }
    }

    // Web host / CLI: the password field is refused too (no keychain); the URL alone is saved.
    let wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      const err = await callError(wb, 'settings.set', { hot: { kind: 'external', url: plainUrl, password } });
      expect(err.message).toContain('PGPASSWORD');
      await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
      const saved = await call<{ restartRequired: boolean; settings: SettingsInfo }>(wb, 'settings.set', {
        hot: { kind: 'external', url: plainUrl },
      });
      expect(saved.restartRequired).toBe(true);
      expect(saved.settings.canStorePassword).toBe(false);
    } finally {
      await wb.close();
    }

    // Desktop: the password field goes to the secret store; settings.json gets the URL alone.
    wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets });
    try {
      const res = await call<{ restartRequired: boolean; settings: SettingsInfo }>(wb, 'settings.set', {
        hot: { kind: 'external', url: plainUrl, password },
      });
      expect(res.restartRequired).toBe(true);
      expect(res.settings.passwordStored).toBe(true);
      expect(res.settings.settings.hot).toEqual({ kind: 'external', url: plainUrl });
      expect(await secrets.get(HOT_PASSWORD_SECRET)).toBe(password);
      const text = await readFile(join(ws, 'settings.json'), 'utf8');
      expect(text).toContain(plainUrl);
      expect((await stat(join(ws, 'settings.json'))).mode & 0o777).toBe(0o600);
      // A refused URL later changes nothing: the saved URL and the stored password stay.
      await callError(wb, 'settings.set', { hot: { kind: 'external', url: secretUrls[2]?.[0] } });
      expect(await readFile(join(ws, 'settings.json'), 'utf8')).toBe(text);
      expect(await secrets.get(HOT_PASSWORD_SECRET)).toBe(password);
    } finally {
      await wb.close();
    }
    for (const needle of [password, q, 'Sup3r-s3cret']) {
      expect(await filesContaining(ws, needle)).toEqual([]);
    }

    // Back to embedded: the stored password is dropped.
    wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets });
    try {
      await call(wb, 'settings.set', { hot: { kind: 'embedded' } });
      expect(await secrets.get(HOT_PASSWORD_SECRET)).toBeUndefined();
    } finally {
      await wb.close();
    }
  });

  it('settings.get never echoes a secret: a hand-written settings.json with one is a problem named by parameter; a --pg-url is shown masked', async () => {
    const ws = await tempDir('bw-set-');
    await writeFile(
      join(ws, 'settings.json'),
      JSON.stringify({ hot: { kind: 'external', url: 'postgres://fleet@127.0.0.1:1/fleetdb?sslpassword=HandTyped-Secret' } }),
    );
    let wb = await openWorkbench({ workspaceDir: ws, entry: 'web', data: { start: 'lazy', autoSeed: false } });
    try {
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.problem).toContain('the parameter sslpassword=');
      expect(info.running.hot.kind).toBe('none');
      expect(JSON.stringify(info)).not.toContain('HandTyped-Secret');
    } finally {
      await wb.close();
    }
    await expect(openWorkbench({ workspaceDir: ws, entry: 'cli' })).rejects.toThrow(/sslpassword=/);

    // A one-run --pg-url may carry secrets (never stored); what settings.get shows has none of them.
    await rm(join(ws, 'settings.json'));
    wb = await openWorkbench({
      workspaceDir: ws,
      entry: 'test',
      pgUrl: 'postgres://fleet:Flag-Secret@127.0.0.1:1/fleetdb?sslmode=require&sslpassword=Flag-Key-Phrase',
      data: { start: 'lazy', autoSeed: false },
    });
    try {
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.running.hot).toEqual({
        kind: 'external',
        url: 'postgres://fleet@127.0.0.1:1/fleetdb?sslmode=require&sslpassword=***',
        source: 'flag',
      });
      expect(JSON.stringify(info)).not.toMatch(/Flag-Secret|Flag-Key-Phrase/);
    } finally {
      await wb.close();
    }
  });

  it('the encrypted secret file holds only ciphertext, written 0600', async () => {
    const ws = await tempDir('bw-set-');
    const key = randomBytes(32);
    // A real cipher (AES-256-GCM) standing in for the OS keychain's.
    const cipher: SecretCipher = {
      description: 'a test key',
      unavailableReason: async () => null,
      encrypt: async (text) => {
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', key, iv);
        const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
        return Buffer.concat([iv, c.getAuthTag(), body]);
      },
      decrypt: async (blob) => {
        const b = Buffer.from(blob);
        const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, 12));
        d.setAuthTag(b.subarray(12, 28));
        return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString('utf8');
      },
    };
    const file = join(ws, 'secrets.bin');
    const store = new EncryptedFileSecretStore(file, cipher);
    await store.set(HOT_PASSWORD_SECRET, 'pw-in-the-keychain');
    expect(await new EncryptedFileSecretStore(file, cipher).get(HOT_PASSWORD_SECRET)).toBe('pw-in-the-keychain');
    expect(await filesContaining(ws, 'pw-in-the-keychain')).toEqual([]);
    expect(await filesContaining(ws, HOT_PASSWORD_SECRET)).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    // No keychain: refused, nothing changed.
    const locked = new EncryptedFileSecretStore(file, { ...cipher, unavailableReason: async () => 'no keyring is running' });
    await expect(locked.set(HOT_PASSWORD_SECRET, 'other')).rejects.toThrow(/no keyring is running.*PGPASSWORD/);
    expect(await store.get(HOT_PASSWORD_SECRET)).toBe('pw-in-the-keychain');

    // Another key cannot read it: a clear error naming the file.
    const otherKey = new EncryptedFileSecretStore(file, { ...cipher, decrypt: async () => Promise.reject(new Error('bad tag')) });
    await expect(otherKey.get(HOT_PASSWORD_SECRET)).rejects.toThrow(/secrets\.bin could not be decrypted/);

    await store.delete(HOT_PASSWORD_SECRET);
    await expect(stat(file)).rejects.toThrow();
  });

  it('precedence: --pg-url > settings (+ secret store, else PGPASSWORD) > embedded; the lake from settings', async () => {
    const ws = await tempDir('bw-set-');
    const paths = workspacePaths(ws);
    const secrets = new MemorySecretStore();

    let r = await resolveStores({ paths, secrets });
    expect(r.hot).toEqual({ kind: 'embedded' });
    expect(r.hotSource).toBe('default');
    expect(r.lakeDir).toBe(paths.lake);

    await writeFile(
      paths.settings,
      JSON.stringify({ hot: { kind: 'external', url: 'postgres://ana@pg.example:5432/fleet' }, lake: { path: 'elsewhere/lake' } }),
    );
    r = await resolveStores({ paths, secrets });
    expect(r.hot).toEqual({ kind: 'external', url: 'postgres://ana@pg.example:5432/fleet' });
    expect(r.hotSource).toBe('settings');
    expect(r.lakeDir).toBe(join(ws, 'elsewhere', 'lake'));

    await secrets.set(HOT_PASSWORD_SECRET, 'from-keychain');
    r = await resolveStores({ paths, secrets });
    expect(r.hot).toEqual({ kind: 'external', url: 'postgres://ana@pg.example:5432/fleet', password: 'from-keychain' });

    r = await resolveStores({ paths, secrets, pgUrl: 'postgres://bob@flag.example/x' });
    expect(r.hot).toEqual({ kind: 'external', url: 'postgres://bob@flag.example/x' });
    expect(r.hotSource).toBe('flag');
    await expect(resolveStores({ paths, pgUrl: 'http://nope' })).rejects.toThrow(/must start with postgres/);

    r = await resolveStores({ paths, secrets, pgUrl: 'postgres://bob@flag.example/x', explicitHot: 'none' });
    expect(r.hot).toBe('none');

    // An opened workbench uses the lake from settings.
    await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: { path: join(ws, 'my-lake') } }));
    const wb = await openWorkbench({ workspaceDir: ws, entry: 'test' });
    try {
      expect((await wb.data.status()).lake.location).toBe(join(ws, 'my-lake'));
      expect((await stat(join(ws, 'my-lake'))).isDirectory()).toBe(true);
      const info = await call<SettingsInfo>(wb, 'settings.get', {});
      expect(info.running.lake).toBe(join(ws, 'my-lake'));
      expect(info.restartRequired).toBe(false);
      await call(wb, 'settings.set', { hot: { kind: 'embedded' } });
      expect((await call<SettingsInfo>(wb, 'settings.get', {})).restartRequired).toBe(true);
    } finally {
      await wb.close();
    }
  });
});

describe('a connection error', () => {
  it('has the connection string and the password masked, as typed or URL-encoded', () => {
    const pw = 'p@ss word';
    const conn = `postgres://ann:${encodeURIComponent(pw)}@db:5432/fleet`;
    const masked = withoutSecrets(`could not use ${conn}: ${pw} / ${encodeURIComponent(pw)} rejected`, [conn, pw]);
    expect(masked).toBe('could not use ***: *** / *** rejected');
    expect(withoutSecrets('nothing secret here', [undefined, ''])).toBe('nothing secret here');
  });
});

describe('an external PostgreSQL from settings', () => {
  it('serves query --on hot: password from the secret store (desktop) or PGPASSWORD (CLI); --pg-url wins', async () => {
    const serverWs = await tempDir('bw-pgsrv-');
    const server = await HotStore.open({ config: { kind: 'embedded' }, workspaceRoot: serverWs, workspacePgDir: join(serverWs, 'pg') });
    if (server.info.dataDir) made.push(server.info.dataDir);
    try {
      const embedded = server.embedded;
      if (!embedded) throw new Error('expected an embedded server');
      const superuser = JSON.parse(await readFile(join(serverWs, 'hot-store.json'), 'utf8')) as { password: string };
      // The workbench's role on this server: no superuser (the SQL editor refuses one, see README).
      const identity = { password: randomBytes(18).toString('base64url') };
      await server.withClient(async (c) => {
        await c.query('CREATE TABLE settings_probe (id int, label text)');
        await c.query("INSERT INTO settings_probe VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        await c.query(`CREATE ROLE fleet_analyst LOGIN PASSWORD '${identity.password}'`);
        await c.query('GRANT SELECT ON settings_probe TO fleet_analyst');
      });
      const url = `postgres://fleet_analyst@127.0.0.1:${embedded.port}/postgres`;
      const superUrl = `postgres://${embedded.user}@127.0.0.1:${embedded.port}/postgres`;

      const ws = await tempDir('bw-ext-');
      const secrets = new MemorySecretStore();
      let wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets });
      try {
        const bad = await call<{ reachable: boolean; error: string | null }>(wb, 'settings.testConnection', {
          url,
          password: 'Wr0ng-Pa55',
        });
        expect(bad.reachable).toBe(false);
        expect(bad.error).toMatch(/password authentication failed/);
        expect(JSON.stringify(bad)).not.toContain('Wr0ng-Pa55');
        const good = await call<ConnectionTestResult>(wb, 'settings.testConnection', { url, password: identity.password });
        expect(good.reachable).toBe(true);
        expect(good.serverVersion).toMatch(/^\d+/);
        // What the role may do: no workbench table exists there yet.
        expect(good.powers).toEqual({
          role: 'fleet_analyst',
          superuser: false,
          serverAccess: [],
          canReadHot: null,
          canWriteHot: false,
          canCreate: false,
        });
        const strong = await call<ConnectionTestResult>(wb, 'settings.testConnection', { url: superUrl, password: superuser.password });
        expect(strong.powers).toMatchObject({ superuser: true, canCreate: true });
        // Nothing was saved by testing.
        await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
        await call(wb, 'settings.set', { hot: { kind: 'external', url, password: identity.password } });
      } finally {
        await wb.close();
      }
      expect(await filesContaining(ws, identity.password)).toEqual([]);

      // Reopened as the desktop would: the hot store is the external one, password from the secret store.
      wb = await openWorkbench({ workspaceDir: ws, entry: 'test', secrets, data: { start: 'lazy' } });
      try {
        const run = await call<{ rowCount: number }>(wb, 'query.run', {
          sql: 'SELECT id, label FROM settings_probe ORDER BY id',
          target: 'hot',
          runId: 'probe-1',
        });
        expect(run.rowCount).toBe(3);
        const status = await wb.data.status();
        expect(status.hot).toMatchObject({ kind: 'external', reachable: true, target: url });
        const info = await call<SettingsInfo>(wb, 'settings.get', {});
        expect(info.running.hot).toEqual({ kind: 'external', url, source: 'settings' });
        expect(info.passwordStored).toBe(true);
        // The stored password is used to test the saved server only.
        expect((await call<{ reachable: boolean }>(wb, 'settings.testConnection', { url })).reachable).toBe(true);
      } finally {
        await wb.close();
      }

      // The CLI has no secret store: PGPASSWORD supplies the password for the URL in settings.
      const cli = await runCli(['query', 'SELECT count(*) AS n FROM settings_probe', '--on', 'hot', '--json', '--workspace', ws], {
        PGPASSWORD: identity.password,
      });
      expect(cli.stderr).toBe('');
      expect(JSON.parse(cli.stdout)).toEqual([{ n: 3 }]);

      // The SQL editor never runs as a superuser, whatever the SQL.
      const refused = await runCli(['query', 'SELECT 1', '--on', 'hot', '--workspace', ws, '--pg-url', superUrl], {
        PGPASSWORD: superuser.password,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/does not run as PostgreSQL role "postgres".*superuser/);

      // --pg-url wins over settings: settings point at a dead port, the flag at the live server.
      await writeFile(
        join(ws, 'settings.json'),
        JSON.stringify({ hot: { kind: 'external', url: `postgres://${embedded.user}@127.0.0.1:1/postgres` } }),
      );
      const flagged = await runCli(
        ['query', 'SELECT label FROM settings_probe WHERE id = 2', '--on', 'hot', '--json', '--workspace', ws, '--pg-url', url],
        {
          PGPASSWORD: identity.password,
        },
      );
      expect(flagged.stderr).toBe('');
      expect(JSON.parse(flagged.stdout)).toEqual([{ label: 'b' }]);
      const dead = await runCli(['query', 'SELECT 1', '--on', 'hot', '--workspace', ws], { PGPASSWORD: identity.password });
      expect(dead.code).toBe(1);
      expect(dead.stderr).toMatch(/127\.0\.0\.1:1/);
    } finally {
      await server.close();
    }
  }, 180_000);
});

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
    await writeS3Keys(secrets, { accessKeyId: 'AKIAKEYCHAIN', secretAccessKey: 'From-The-Keychain' }, S3_LAKE);
    r = await resolveStores({ paths, secrets });
    expect(r.lake).toEqual({
      kind: 's3',
      settings: S3_LAKE,
      cacheDir: join(ws, 'lake-cache'),
      keys: { accessKeyId: 'AKIAKEYCHAIN', secretAccessKey: 'From-The-Keychain' },
    });
    expect(JSON.stringify(r.settings)).not.toContain('From-The-Keychain');
    // The key belongs to the lake it was saved for: another bucket or another endpoint never gets it (a settings.json
    // pointed at someone else's endpoint would otherwise send it there), nor does a key stored unbound.
    for (const other of [
      { ...S3_LAKE, url: 's3://another-bucket/x' },
      { ...S3_LAKE, endpoint: 'http://198.51.100.7:9000' },
    ]) {
      await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: other }));
      r = await resolveStores({ paths, secrets });
      expect(r.lake).toEqual({ kind: 's3', settings: other, cacheDir: join(ws, 'lake-cache') });
    }
    await writeFile(paths.settings, JSON.stringify({ hot: { kind: 'embedded' }, lake: S3_LAKE }));
    await secrets.set(LAKE_S3_KEYS_SECRET, JSON.stringify({ accessKeyId: 'AKIAKEYCHAIN', secretAccessKey: 'From-The-Keychain' }));
    r = await resolveStores({ paths, secrets });
    expect(r.lake).toEqual({ kind: 's3', settings: S3_LAKE, cacheDir: join(ws, 'lake-cache') });
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
      const refused = await callError(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret },
      });
      expect(refused.message).toMatch(/cannot keep an S3 key.*AWS_ACCESS_KEY_ID/);
      await expect(stat(join(ws, 'settings.json'))).rejects.toThrow();
      const badEndpoint = await callError(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, endpoint: `http://AKIAEXAMPLE:${secret}@127.0.0.1:9000` },
      });
      expect(badEndpoint.message).toMatch(/endpoint carries a secret/);
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
      const half = await callError(wb, 'settings.set', { hot: { kind: 'embedded' }, lake: { ...lake, secretAccessKey: secret } });
      expect(half.message).toMatch(/needs both the access key id and the secret access key/);
      const res = await call<{ settings: SettingsInfo }>(wb, 'settings.set', {
        hot: { kind: 'embedded' },
        lake: { ...lake, accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret },
      });
      expect(res.settings.lakeKeysStored).toBe(true);
      expect(JSON.parse((await secrets.get(LAKE_S3_KEYS_SECRET)) ?? '')).toEqual({
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: secret,
        // Bound to the lake as saved (URL trimmed, endpoint normalised).
        lake: { url: 's3://fleet-lake/eu/', endpoint: 'http://127.0.0.1:9000' },
      });
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
