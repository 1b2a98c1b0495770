import { describe, expect, it } from 'vitest';
import type { SettingsInfo } from '../../../shared/api/settings';
import { formFromInfo, formProblem, requestFromForm, syncIntervalProblem } from './settingsForm';

const info: SettingsInfo = {
  file: '/ws/settings.json',
  settings: { hot: { kind: 'external', url: 'postgres://ana@db:5432/fleet' }, lake: { path: '/data/lake' } },
  problem: null,
  passwordStored: true,
  canStorePassword: true,
  envPassword: false,
  running: { hot: { kind: 'external', url: 'postgres://ana@db:5432/fleet', source: 'settings' }, lake: '/data/lake' },
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
      lakePath: '/data/lake',
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
});
