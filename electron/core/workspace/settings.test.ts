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
import { HOT_PASSWORD_SECRET, MemorySecretStore } from './secrets';
import { readSettingsFile } from './settings';
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
