import { useState } from 'react';
import type { ApiError } from '../../../shared/api/errors';
import type { S3LakeTestResult, SettingsInfo } from '../../../shared/api/settings';
import { formatDuration } from '../../../shared/format';
import { api } from '../../api/client';
import { Card } from '../../lib/ui/Card';
import { Field } from '../../lib/ui/Field';
import { Radio } from '../../lib/ui/Radio';
import { SecretField } from './SecretField';
import { lakeProblem, s3LakeRequest, type SettingsForm } from './settingsForm';

/** The S3 lake's text fields ('' = unset). */
const S3_FIELDS: {
  field: 's3Url' | 's3Region' | 's3Endpoint' | 'cacheGb';
  id: string;
  label: string;
  placeholder: string;
  wide?: boolean;
}[] = [
  { field: 's3Url', id: 'settings-s3-url', label: 'URL', placeholder: 's3://bucket/prefix', wide: true },
  { field: 's3Region', id: 'settings-s3-region', label: 'Region', placeholder: 'default: $AWS_REGION, else us-east-1' },
  {
    field: 's3Endpoint',
    id: 'settings-s3-endpoint',
    label: 'Endpoint',
    placeholder: 'default: $AWS_ENDPOINT_URL_S3, else AWS (e.g. http://minio:9000)',
    wide: true,
  },
  { field: 'cacheGb', id: 'settings-s3-cache', label: 'Cache size (GB)', placeholder: 'empty: mirror the whole lake' },
];

interface Props {
  form: SettingsForm;
  info: SettingsInfo;
  edit: (patch: Partial<SettingsForm>) => void;
  /** Opens the folder picker for the lake folder. */
  onBrowse: () => void;
}

/** Where the lake is: a folder, or an S3 bucket (URL, region, endpoint, cache size, a key for the keychain). */
export function LakeCard({ form, info, edit, onBrowse }: Props) {
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<S3LakeTestResult | ApiError | null>(null);

  const testConnection = async (): Promise<void> => {
    setTesting(true);
    setTest(null);
    const res = await api.settings.testLakeConnection(s3LakeRequest(form));
    setTesting(false);
    setTest(res.ok ? res.value : res.error);
  };

  return (
    <Card label="Lake" testId="settings-lake" title="Lake" sub="older history as hive-partitioned Parquet">
      <div className="lake-form">
        <div className="lake-field" role="radiogroup" aria-label="Lake">
          <Radio name="lake-kind" value="local" current={form.lakeKind} onChange={(v) => edit({ lakeKind: v })} testId="lake-local">
            Folder
            <span className="dim">: on this machine or a shared disk</span>
          </Radio>
        </div>
        <div className="lake-field">
          <Radio name="lake-kind" value="s3" current={form.lakeKind} onChange={(v) => edit({ lakeKind: v })} testId="lake-s3">
            S3
            <span className="dim">: a bucket on AWS, MinIO, Ceph or R2, read through a local cache</span>
          </Radio>
        </div>
        {form.lakeKind === 'local' ? (
          <div className="settings-external">
            <Field label="Folder" htmlFor="settings-lake">
              <input
                id="settings-lake"
                className="lake-input wide mono"
                value={form.lakePath}
                placeholder="default: the lake folder inside the workspace"
                spellCheck={false}
                onChange={(e) => edit({ lakePath: e.target.value })}
                data-testid="settings-lake-path"
              />
              <button type="button" className="btn" onClick={onBrowse}>
                Browse…
              </button>
              <button type="button" className="btn" disabled={form.lakePath === ''} onClick={() => edit({ lakePath: '' })}>
                Use the default
              </button>
            </Field>
            <div className="hint settings-hint">
              A lake elsewhere (another disk, a shared folder) is read as is: its datasets appear in the cold views at the next start.
            </div>
            <Field label="Archive folder" htmlFor="settings-archive">
              <input
                id="settings-archive"
                className="lake-input wide mono"
                value={form.archivePath}
                placeholder="none: one tier"
                spellCheck={false}
                onChange={(e) => edit({ archivePath: e.target.value })}
                data-testid="settings-archive-path"
              />
            </Field>
            <div className="hint settings-hint">
              The colder tier (another disk, a NAS): the Lifecycle policies move files of older days there, and the views still read them.
            </div>
          </div>
        ) : (
          <div className="settings-external">
            {S3_FIELDS.map((f) => (
              <TextField
                key={f.field}
                id={f.id}
                label={f.label}
                value={form[f.field]}
                placeholder={f.placeholder}
                wide={f.wide}
                onChange={(v) => edit({ [f.field]: v })}
              />
            ))}
            {info.canStorePassword ? (
              <>
                <TextField
                  id="settings-s3-key-id"
                  label="Access key id"
                  value={form.accessKeyId}
                  placeholder={info.lakeKeysStored ? 'stored (type to replace)' : 'optional: else the AWS environment'}
                  onChange={(v) => edit({ accessKeyId: v })}
                />
                <SecretField
                  id="settings-s3-secret"
                  label="Secret access key"
                  value={form.secretAccessKey}
                  onChange={(secretAccessKey) => edit({ secretAccessKey })}
                  stored={info.lakeKeysStored}
                  forget={form.forgetKeys}
                  onForget={(forgetKeys) => edit({ forgetKeys })}
                  what="key"
                />
                <div className="hint settings-hint">The key is kept in the OS keychain, never in settings.json.</div>
              </>
            ) : (
              <div className="hint settings-hint">
                Keys come from the workbench&apos;s environment: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws (never
                settings.json).
              </div>
            )}
            <div className="lake-field">
              <button
                type="button"
                className="btn"
                disabled={testing || lakeProblem(form) !== null}
                onClick={() => void testConnection()}
                data-testid="test-lake-connection"
              >
                {testing ? 'Testing…' : 'Test connection'}
              </button>
              <LakeTestOutcome test={test} />
            </div>
          </div>
        )}
      </div>
    </Card>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  wide?: boolean;
  onChange: (value: string) => void;
}

function TextField({ id, label, value, placeholder, wide, onChange }: TextFieldProps) {
  return (
    <Field label={label} htmlFor={id}>
      <input
        id={id}
        className={wide ? 'lake-input wide mono' : 'lake-input mono'}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        data-testid={id}
      />
    </Field>
  );
}

const STEP_TEXT: Record<S3LakeTestResult['steps'][number]['step'], string> = {
  list: 'List the prefix',
  put: 'Write a probe object',
  get: 'Read it back',
  delete: 'Delete it',
};

function LakeTestOutcome({ test }: { test: S3LakeTestResult | ApiError | null }) {
  if (test === null) return null;
  if ('code' in test) {
    return (
      <span className="bad-text" data-testid="lake-test-result">
        {test.message}
      </span>
    );
  }
  return (
    <div className="settings-powers" data-testid="lake-test-result">
      <div className={test.ok ? 'settings-ok' : 'bad-text'}>
        {test.ok ? 'Connected to' : 'Could not use'} {test.target} ({formatDuration(test.elapsedMs)})
      </div>
      <dl>
        {test.steps.map((s) => (
          <div key={s.step} data-testid={`lake-test-${s.step}`}>
            <dt>{STEP_TEXT[s.step]}</dt>
            <dd className={s.ok ? 'settings-ok' : 'bad-text'}>
              {s.ok ? `ok, ${formatDuration(s.ms)}` : `failed (${s.failure ?? 'other'}): ${s.message ?? ''}`}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
