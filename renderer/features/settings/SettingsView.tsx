import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { ConnectionTestResult, RolePowers, SettingsInfo } from '../../../shared/api/settings';
import { formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { FilePickerDialog } from '../../lib/FilePickerDialog';
import { DemoCard } from './DemoCard';
import { LakeCard } from './LakeCard';
import { SecretField } from './SecretField';
import { formFromInfo, formProblem, requestFromForm, type SettingsForm } from './settingsForm';
import { StatusCard } from './StatusCard';
import { SyncCard } from './SyncCard';
import { LiveFeedCard } from './LiveFeedCard';
import './settings.css';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Field } from '../../lib/ui/Field';
import { Radio } from '../../lib/ui/Radio';

/**
 * #/settings: where this workspace's stores are (embedded or external PostgreSQL, a lake folder or S3 bucket),
 * what this run uses, the background sync and the demo fleet. Saved stores apply at the next start.
 */
export function SettingsView() {
  const [info, setInfo] = useState<SettingsInfo | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<ConnectionTestResult | ApiError | null>(null);
  const [picker, setPicker] = useState(false);

  const apply = useCallback((res: Awaited<ReturnType<typeof api.settings.get>>) => {
    if (!res.ok) {
      setLoadError(res.error);
      return;
    }
    setLoadError(null);
    setInfo(res.value);
    setForm(formFromInfo(res.value));
  }, []);

  const load = useCallback(() => api.settings.get({}).then(apply), [apply]);

  useEffect(() => {
    let live = true;
    void api.settings.get({}).then((res) => {
      if (live) apply(res);
    });
    return () => {
      live = false;
    };
  }, [apply]);

  const edit = (patch: Partial<SettingsForm>): void => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(false);
    setSaveError(null);
  };

  const save = async (): Promise<void> => {
    if (!form) return;
    setSaving(true);
    setSaveError(null);
    const res = await api.settings.set(requestFromForm(form));
    setSaving(false);
    if (!res.ok) {
      setSaveError(res.error);
      return;
    }
    setInfo(res.value.settings);
    setForm(formFromInfo(res.value.settings));
    setSaved(true);
  };

  const testConnection = async (): Promise<void> => {
    if (!form) return;
    setTesting(true);
    setTest(null);
    const res = await api.settings.testConnection(
      form.password ? { url: form.url.trim(), password: form.password } : { url: form.url.trim() },
    );
    setTesting(false);
    setTest(res.ok ? res.value : res.error);
  };

  const problem = form ? formProblem(form) : null;

  return (
    <div className="convert-view settings-view" data-testid="settings-view">
      <div className="lake-page">
        <div className="lake-title-row">
          <h1 className="lake-h1">Settings</h1>
          <span className="dim">this workspace&apos;s stores{info ? ` · ${info.file}` : ''}</span>
        </div>

        {loadError && <ErrorBox variant="inline" showCode error={loadError} />}
        {info?.problem && (
          <div className="lake-warning" role="alert" data-testid="settings-problem">
            {info.problem}
          </div>
        )}
        {(saved || info?.restartRequired) && (
          <div className="lake-warning" role="status" data-testid="restart-required">
            {saved ? 'Saved. ' : 'The saved settings differ from what this run uses. '}
            Restart the workbench (app, web host or CLI) to use them; the stores in use now keep running until then.
          </div>
        )}

        {form && info && (
          <Card label="Hot store" testId="settings-hot" title="Hot store (PostgreSQL)" sub="master data, recent telemetry and open alerts">
            <div className="lake-form">
              <div className="lake-field" role="radiogroup" aria-label="Hot store">
                <Radio name="hot-kind" value="embedded" current={form.hotKind} onChange={(v) => edit({ hotKind: v })} testId="hot-embedded">
                  Embedded
                  <span className="dim">: started by the workbench, data inside the workspace</span>
                </Radio>
              </div>
              <div className="lake-field">
                <Radio name="hot-kind" value="external" current={form.hotKind} onChange={(v) => edit({ hotKind: v })} testId="hot-external">
                  External
                  <span className="dim">: any PostgreSQL by URL</span>
                </Radio>
              </div>
              {form.hotKind === 'external' && (
                <div className="settings-external">
                  <Field label="URL" htmlFor="settings-url">
                    <input
                      id="settings-url"
                      className="lake-input wide mono"
                      value={form.url}
                      placeholder="postgres://user@host:5432/database"
                      spellCheck={false}
                      autoComplete="off"
                      onChange={(e) => edit({ url: e.target.value })}
                      data-testid="settings-url"
                    />
                  </Field>
                  <SecretField
                    id="settings-password"
                    label="Password"
                    value={form.password}
                    onChange={(password) => edit({ password })}
                    stored={info.passwordStored}
                    forget={form.forgetPassword}
                    onForget={(forgetPassword) => edit({ forgetPassword })}
                    what="password"
                  />
                  <div className="hint settings-hint">
                    {info.canStorePassword
                      ? 'The password is kept in the OS keychain, never in settings.json.'
                      : `This workbench cannot keep a password (no OS keychain here): leave it empty and start it with PGPASSWORD set${info.envPassword ? ' (PGPASSWORD is set now)' : ''}. You can still type one to test the connection.`}
                  </div>
                  <div className="lake-field">
                    <button
                      type="button"
                      className="btn"
                      disabled={testing || problem !== null}
                      onClick={() => void testConnection()}
                      data-testid="test-connection"
                    >
                      {testing ? 'Testing…' : 'Test connection'}
                    </button>
                    <TestOutcome test={test} />
                  </div>
                </div>
              )}
            </div>
          </Card>
        )}

        {form && info && <LakeCard form={form} info={info} edit={edit} onBrowse={() => setPicker(true)} />}

        {form && (
          <div className="lake-field settings-actions">
            <button
              type="button"
              className="btn primary"
              disabled={saving || problem !== null}
              onClick={() => void save()}
              data-testid="settings-save"
            >
              {saving ? 'Saving…' : 'Save settings'}
            </button>
            <button type="button" className="btn" disabled={saving} onClick={() => void load()}>
              Revert
            </button>
            {problem && (
              <span className="bad-text" role="alert" data-testid="settings-form-problem">
                {problem}
              </span>
            )}
          </div>
        )}
        {saveError && <ErrorBox variant="inline" showCode error={saveError} testId="settings-error" />}

        <StatusCard info={info} />
        <SyncCard info={info} onSaved={setInfo} />
        <DemoCard />
        <LiveFeedCard info={info} onSaved={setInfo} />
      </div>
      {picker && form && (
        <FilePickerDialog
          mode="folder"
          title="Choose the lake folder"
          initialPath={form.lakePath || undefined}
          onClose={() => setPicker(false)}
          onChoose={(paths) => {
            setPicker(false);
            if (paths[0]) edit({ lakePath: paths[0] });
          }}
        />
      )}
    </div>
  );
}

function TestOutcome({ test }: { test: ConnectionTestResult | ApiError | null }) {
  if (test === null) return null;
  if ('code' in test) {
    return (
      <span className="bad-text" data-testid="test-result">
        {test.message}
      </span>
    );
  }
  return test.reachable ? (
    <>
      <span className="settings-ok" data-testid="test-result">
        Connected to PostgreSQL {test.serverVersion ?? ''} in {formatDuration(test.elapsedMs)}
      </span>
      {test.powers && <RolePowersList powers={test.powers} />}
    </>
  ) : (
    <span className="bad-text" data-testid="test-result">
      Could not connect to {test.target}: {test.error}
    </span>
  );
}

interface RolePowersListProps {
  powers: RolePowers;
}

/** What the URL's role may do: the SQL editor refuses a role that reaches the server's files (see README). */
function RolePowersList({ powers }: RolePowersListProps) {
  const yesNo = (v: boolean): string => (v ? 'yes' : 'no');
  const tooStrong = powers.superuser || powers.serverAccess.length > 0;
  const rows: [string, string][] = [
    ['Superuser', powers.superuser ? 'yes' : 'no'],
    ['Server files or programs', powers.serverAccess.length > 0 ? powers.serverAccess.join(', ') : 'none'],
    ['Reads the hot tables', powers.canReadHot === null ? 'no workbench tables yet' : yesNo(powers.canReadHot)],
    ['Writes the hot tables', yesNo(powers.canWriteHot)],
    ['Creates tables and triggers', yesNo(powers.canCreate)],
  ];
  return (
    <div className="settings-powers" data-testid="test-powers">
      <div className="dim">Role &ldquo;{powers.role}&rdquo; may:</div>
      <dl>
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {tooStrong && (
        <div className="lake-warning" role="note">
          The SQL editor does not run as this role: it can reach the server&apos;s files. Use a role without superuser rights for the
          workbench.
        </div>
      )}
    </div>
  );
}
