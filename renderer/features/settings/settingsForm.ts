import { MAX_LIVE_SPEED, MAX_SYNC_INTERVAL_SECONDS, type LakeSettings, type SettingsInfo } from '../../../shared/api/settings';
import type { RequestInputOf } from '../../../shared/api/define';
import type { Contract } from '../../../shared/api/contract';
import { urlSecretProblem } from '../../../shared/postgres-url';

export type SettingsRequest = RequestInputOf<Contract['settings']['set']>;
export type LakeTestRequest = RequestInputOf<Contract['settings']['testLakeConnection']>;

/** The cache size field is in GB (as sizes are shown: 1 GB = 1024³ bytes); settings.json keeps bytes. */
const GB = 1024 ** 3;

/** What the settings form edits (the password is write-only: it is never read back). */
export interface SettingsForm {
  hotKind: 'embedded' | 'external';
  url: string;
  password: string;
  /** Remove the stored password on save. */
  forgetPassword: boolean;
  lakeKind: 'local' | 's3';
  /** '' = the default lake inside the workspace. */
  lakePath: string;
  /** A local lake's colder tier: the archive folder ('' = none). */
  archivePath: string;
  /** The S3 lake: `s3://bucket/prefix`, region and endpoint ('' = from the environment, else AWS), cache size in GB ('' = mirror everything). */
  s3Url: string;
  s3Region: string;
  s3Endpoint: string;
  cacheGb: string;
  /** Write-only, like the password: kept in the OS keychain (desktop), never read back. */
  accessKeyId: string;
  secretAccessKey: string;
  /** Remove the stored S3 key on save. */
  forgetKeys: boolean;
}

export function formFromInfo(info: SettingsInfo): SettingsForm {
  return {
    hotKind: info.settings.hot.kind,
    url: info.settings.hot.kind === 'external' ? info.settings.hot.url : '',
    password: '',
    forgetPassword: false,
    ...lakeFormOf(info.settings.lake),
    accessKeyId: '',
    secretAccessKey: '',
    forgetKeys: false,
  };
}

/**
 * A byte count as the shortest plain decimal number of GB that saves back to the same bytes: a 100 KB cap
 * reads 0.0000954, never "0" (which would save a cap of nothing). No exponent form: the field takes digits.
 */
export function gbText(bytes: number): string {
  for (let digits = 0; digits < 12; digits++) {
    const text = (bytes / GB).toFixed(digits);
    if (Math.round(Number(text) * GB) === bytes) return digits === 0 ? text : text.replace(/\.?0+$/, '');
  }
  return (bytes / GB).toFixed(12).replace(/\.?0+$/, '');
}

function lakeFormOf(
  lake: LakeSettings | undefined,
): Pick<SettingsForm, 'lakeKind' | 'lakePath' | 'archivePath' | 's3Url' | 's3Region' | 's3Endpoint' | 'cacheGb'> {
  if (lake?.kind === 's3') {
    const max = lake.cache?.maxBytes;
    return {
      lakeKind: 's3',
      lakePath: '',
      archivePath: '',
      s3Url: lake.url,
      s3Region: lake.region ?? '',
      s3Endpoint: lake.endpoint ?? '',
      cacheGb: max === undefined ? '' : gbText(max),
    };
  }
  return {
    lakeKind: 'local',
    lakePath: lake?.path ?? '',
    archivePath: lake?.archivePath ?? '',
    s3Url: '',
    s3Region: '',
    s3Endpoint: '',
    cacheGb: '',
  };
}

/** What is wrong with the S3 lake fields, or null (the core checks them again). */
export function lakeProblem(form: SettingsForm): string | null {
  if (form.lakeKind !== 's3') return null;
  const url = form.s3Url.trim();
  if (!/^s3:\/\/[^/?#]+(\/[^?#]*)?$/.test(url)) return 'Enter the S3 lake URL as s3://bucket/prefix.';
  const endpoint = form.s3Endpoint.trim();
  if (endpoint) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      return 'The S3 endpoint could not be read. Use the form http(s)://host:port.';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'The S3 endpoint must start with http:// or https://.';
    if (parsed.username || parsed.password) return 'The S3 endpoint may not carry a key: use the key fields or the AWS environment.';
  }
  const gb = form.cacheGb.trim();
  if (gb && !(/^\d+(\.\d+)?$/.test(gb) && Number.isFinite(Number(gb))))
    return 'Enter the cache size in GB (e.g. 50), or leave it empty to mirror the whole lake.';
  if ((form.accessKeyId.trim() === '') !== (form.secretAccessKey === ''))
    return 'Enter both the access key id and the secret access key (or neither).';
  return null;
}

/** The S3 fields as the core takes them: empty fields left out, the cache size in bytes, the key only when typed. */
export function s3LakeRequest(form: SettingsForm): LakeTestRequest & { cache?: { maxBytes: number } } {
  const req: LakeTestRequest & { cache?: { maxBytes: number } } = { kind: 's3', url: form.s3Url.trim() };
  if (form.s3Region.trim()) req.region = form.s3Region.trim();
  if (form.s3Endpoint.trim()) req.endpoint = form.s3Endpoint.trim();
  if (form.cacheGb.trim()) req.cache = { maxBytes: Math.round(Number(form.cacheGb.trim()) * GB) };
  if (form.accessKeyId.trim() && form.secretAccessKey) {
    req.accessKeyId = form.accessKeyId.trim();
    req.secretAccessKey = form.secretAccessKey;
  } else if (form.forgetKeys) {
    req.accessKeyId = '';
    req.secretAccessKey = '';
  }
  return req;
}

/** What is wrong with the form, in words, or null when it can be saved. */
export function formProblem(form: SettingsForm): string | null {
  return hotProblem(form) ?? lakeProblem(form);
}

function hotProblem(form: SettingsForm): string | null {
  if (form.hotKind === 'external') {
    const url = form.url.trim();
    if (!url) return 'Enter the PostgreSQL URL, e.g. postgres://user@host:5432/database.';
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'The URL could not be read. Use the form postgres://user@host:5432/database.';
    }
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
      return 'The URL must start with postgres:// or postgresql://.';
    if (!parsed.hostname) return 'The URL names no host.';
    // The core refuses it too; saying so here names the part before anything is sent.
    return urlSecretProblem(parsed);
  }
  return null;
}

/** The settings.set request for a form: the password only when one was typed (or is to be forgotten). */
export function requestFromForm(form: SettingsForm): SettingsRequest {
  const lake: SettingsRequest['lake'] =
    form.lakeKind === 's3'
      ? s3LakeRequest(form)
      : {
          ...(form.lakePath.trim() ? { path: form.lakePath.trim() } : {}),
          ...(form.archivePath.trim() ? { archivePath: form.archivePath.trim() } : {}),
        };
  if (form.hotKind === 'embedded') return { hot: { kind: 'embedded' }, lake };
  const hot: SettingsRequest['hot'] = { kind: 'external', url: form.url.trim() };
  if (form.password !== '') hot.password = form.password;
  else if (form.forgetPassword) hot.password = '';
  return { hot, lake };
}

/** What is wrong with a typed background sync interval (whole seconds, 0 = off), or null. */
export function syncIntervalProblem(text: string): string | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'Enter whole seconds (0 turns the background sync off).';
  if (Number(t) > MAX_SYNC_INTERVAL_SECONDS) return `At most ${MAX_SYNC_INTERVAL_SECONDS} seconds (a day).`;
  return null;
}

/** What is wrong with a typed live feed speed (a number above 0, at most MAX_LIVE_SPEED), or null. */
export function liveSpeedProblem(text: string): string | null {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n) || n <= 0) return 'Enter a number above 0 (1 = readings every 5 minutes, 60 = every 5 s).';
  if (n > MAX_LIVE_SPEED) return `At most ${MAX_LIVE_SPEED}.`;
  return null;
}
