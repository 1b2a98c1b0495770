import { describe, expect, it } from 'vitest';
import type { SettingsInfo } from '../../../shared/api/settings';
import { formFromInfo, formProblem, gbText, liveSpeedProblem, requestFromForm, syncIntervalProblem } from './settingsForm';

const info: SettingsInfo = {
  file: '/ws/settings.json',
  settings: { hot: { kind: 'external', url: 'postgres://ana@db:5432/fleet' }, lake: { path: '/data/lake' } },
  problem: null,
  passwordStored: true,
  lakeKeysStored: false,
  canStorePassword: true,
  envPassword: false,
  running: {
    hot: { kind: 'external', url: 'postgres://ana@db:5432/fleet', source: 'settings' },
    lake: '/data/lake',
    lakeSource: 'settings',
  },
  restartRequired: false,
};

describe('settings form', () => {
  it('round-trips the saved settings without ever holding the stored password', () => {
    const form = formFromInfo(info);
    expect(form).toEqual({
      hotKind: 'external',
      url: 'postgres://ana@db:5432/fleet',
      password: '',
      forgetPassword: false,
      lakeKind: 'local',
      lakePath: '/data/lake',
      archivePath: '',
      s3Url: '',
      s3Region: '',
      s3Endpoint: '',
      cacheGb: '',
      accessKeyId: '',
      secretAccessKey: '',
      forgetKeys: false,
    });
    expect(requestFromForm(form)).toEqual({ hot: { kind: 'external', url: 'postgres://ana@db:5432/fleet' }, lake: { path: '/data/lake' } });
  });

  it('sends a typed password, or an empty one to forget it; embedded sends none', () => {
    const form = formFromInfo(info);
    expect(requestFromForm({ ...form, password: 'pw' }).hot).toEqual({
      kind: 'external',
      url: 'postgres://ana@db:5432/fleet',
      password: 'pw',
    });
    expect(requestFromForm({ ...form, forgetPassword: true }).hot).toEqual({
      kind: 'external',
      url: 'postgres://ana@db:5432/fleet',
      password: '',
    });
    expect(requestFromForm({ ...form, hotKind: 'embedded', password: 'pw', lakePath: '  ' })).toEqual({
      hot: { kind: 'embedded' },
      lake: {},
    });
  });

  it('says what is wrong with a URL', () => {
    const form = formFromInfo(info);
    expect(formProblem(form)).toBeNull();
    expect(formProblem({ ...form, url: '' })).toMatch(/Enter the PostgreSQL URL/);
    expect(formProblem({ ...form, url: 'mysql://db/x' })).toMatch(/must start with postgres/);
    expect(formProblem({ ...form, url: 'not a url' })).toMatch(/could not be read/);
    expect(formProblem({ ...form, hotKind: 'embedded', url: '' })).toBeNull();
  });

  it('refuses a URL that carries a secret, naming the part and never its value', () => {
    const form = formFromInfo(info);
    expect(formProblem({ ...form, url: 'postgres://a:hunter2@db/x' })).toMatch(/a password \(user:password@host\)/);
    expect(formProblem({ ...form, url: 'postgres://a@db/x?sslmode=require&SSLPassword=hunter2' })).toMatch(/parameter SSLPassword=/);
    expect(formProblem({ ...form, url: 'postgres://a@db/x?sslkey=/home/a/.pg/key.pem' })).toMatch(/parameter sslkey=/);
    for (const url of ['postgres://a:hunter2@db/x', 'postgres://a@db/x?password=hunter2'])
      expect(formProblem({ ...form, url })).not.toContain('hunter2');
    expect(formProblem({ ...form, url: 'postgres://a@db/x?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=/home/a/c.pem' })).toBeNull();
  });

  it('takes whole seconds up to a day for the background sync, 0 for off', () => {
    expect(['0', '60', ' 300 ', '86400'].map(syncIntervalProblem)).toEqual([null, null, null, null]);
    expect(syncIntervalProblem('')).toMatch(/whole seconds/);
    expect(syncIntervalProblem('1.5')).toMatch(/whole seconds/);
    expect(syncIntervalProblem('-1')).toMatch(/whole seconds/);
    expect(syncIntervalProblem('86401')).toMatch(/At most 86400/);
  });

  it('takes a live feed speed above 0 up to 3600', () => {
    expect(['1', '0.5', ' 60 ', '3600'].map(liveSpeedProblem)).toEqual([null, null, null, null]);
    for (const bad of ['', '0', '-1', 'fast', 'Infinity']) expect(liveSpeedProblem(bad), bad).toMatch(/number above 0/);
    expect(liveSpeedProblem('3601')).toMatch(/At most 3600/);
  });

  it('round-trips an S3 lake: the cache size in GB (stored as bytes), empty fields left out, the key write-only', () => {
    const s3Info: SettingsInfo = {
      ...info,
      lakeKeysStored: true,
      settings: {
        hot: { kind: 'embedded' },
        lake: { kind: 's3', url: 's3://fleet-lake/eu', endpoint: 'http://127.0.0.1:9000', cache: { maxBytes: 50 * 1024 ** 3 } },
      },
    };
    const form = formFromInfo(s3Info);
    expect(form).toMatchObject({
      lakeKind: 's3',
      s3Url: 's3://fleet-lake/eu',
      s3Region: '',
      s3Endpoint: 'http://127.0.0.1:9000',
      cacheGb: '50',
    });
    expect(formProblem(form)).toBeNull();
    expect(requestFromForm(form).lake).toEqual({
      kind: 's3',
      url: 's3://fleet-lake/eu',
      endpoint: 'http://127.0.0.1:9000',
      cache: { maxBytes: 50 * 1024 ** 3 },
    });
    // Empty cache = mirror everything; a region; a typed key is sent, a forgotten one is sent empty.
    expect(
      requestFromForm({ ...form, cacheGb: ' ', s3Region: 'eu-west-1 ', accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' }).lake,
    ).toEqual({
      kind: 's3',
      url: 's3://fleet-lake/eu',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'AKIA1',
      secretAccessKey: 's3cr3t',
    });
    expect(requestFromForm({ ...form, forgetKeys: true }).lake).toMatchObject({ accessKeyId: '', secretAccessKey: '' });
    expect(requestFromForm({ ...form, cacheGb: '0.5' }).lake).toMatchObject({ cache: { maxBytes: 512 * 1024 ** 2 } });
    // Back to a folder: the S3 fields are not sent.
    expect(requestFromForm({ ...form, lakeKind: 'local', lakePath: '/data/lake' }).lake).toEqual({ path: '/data/lake' });
    // A folder lake's archive folder (its colder tier) is sent with it; an S3 lake never sends one.
    expect(requestFromForm({ ...form, lakeKind: 'local', lakePath: '', archivePath: ' /nas/lake ' }).lake).toEqual({
      archivePath: '/nas/lake',
    });
    expect(requestFromForm({ ...form, archivePath: '/nas/lake' }).lake).not.toHaveProperty('archivePath');
  });

  it('shows a small cache cap in GB that saves back to the same bytes, never as 0', () => {
    for (const bytes of [0, 1, 100 * 1024, 1024 ** 2, 1_000_000, 5e9, 50 * 1024 ** 3, 1536 * 1024 ** 2]) {
      const text = gbText(bytes);
      expect(text).toMatch(/^\d+(\.\d+)?$/);
      expect(Math.round(Number(text) * 1024 ** 3)).toBe(bytes);
    }
    expect(gbText(100 * 1024)).not.toBe('0');
    expect(gbText(50 * 1024 ** 3)).toBe('50');
    expect(gbText(1536 * 1024 ** 2)).toBe('1.5');
    const form = formFromInfo({
      ...info,
      settings: { hot: { kind: 'embedded' }, lake: { kind: 's3', url: 's3://fleet-lake/eu', cache: { maxBytes: 100 * 1024 } } },
    });
    expect(formProblem(form)).toBeNull();
    expect(requestFromForm(form).lake).toMatchObject({ cache: { maxBytes: 100 * 1024 } });
  });

  it('says what is wrong with the S3 lake fields', () => {
    const form = { ...formFromInfo(info), hotKind: 'embedded' as const, lakeKind: 's3' as const, s3Url: 's3://fleet-lake' };
    expect(formProblem(form)).toBeNull();
    expect(formProblem({ ...form, s3Url: '' })).toMatch(/s3:\/\/bucket\/prefix/);
    expect(formProblem({ ...form, s3Url: 'https://fleet-lake.s3.amazonaws.com' })).toMatch(/s3:\/\/bucket\/prefix/);
    expect(formProblem({ ...form, s3Endpoint: 'ftp://x' })).toMatch(/http:\/\/ or https:\/\//);
    expect(formProblem({ ...form, s3Endpoint: 'http://AKIA:hunter2@127.0.0.1:9000' })).toMatch(/may not carry a key/);
    expect(formProblem({ ...form, s3Endpoint: 'http://AKIA:hunter2@127.0.0.1:9000' })).not.toContain('hunter2');
    expect(formProblem({ ...form, cacheGb: '-1' })).toMatch(/cache size in GB/);
    expect(formProblem({ ...form, cacheGb: 'lots' })).toMatch(/cache size in GB/);
    expect(formProblem({ ...form, accessKeyId: 'AKIA1' })).toMatch(/both the access key id and the secret/);
    expect(formProblem({ ...form, lakeKind: 'local', s3Url: '' })).toBeNull();
  });
});
