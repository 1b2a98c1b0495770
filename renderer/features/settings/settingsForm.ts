import { MAX_SYNC_INTERVAL_SECONDS, type SettingsInfo } from '../../../shared/api/settings';
import type { RequestInputOf } from '../../../shared/api/define';
import type { Contract } from '../../../shared/api/contract';
import { urlSecretProblem } from '../../../shared/postgres-url';

export type SettingsRequest = RequestInputOf<Contract['settings']['set']>;

/** What the settings form edits (the password is write-only: it is never read back). */
export interface SettingsForm {
  hotKind: 'embedded' | 'external';
  url: string;
  password: string;
  /** Remove the stored password on save. */
  forgetPassword: boolean;
  /** '' = the default lake inside the workspace. */
  lakePath: string;
}

export function formFromInfo(info: SettingsInfo): SettingsForm {
  return {
    hotKind: info.settings.hot.kind,
    url: info.settings.hot.kind === 'external' ? info.settings.hot.url : '',
    password: '',
    forgetPassword: false,
    lakePath: info.settings.lake?.path ?? '',
  };
}

/** What is wrong with the form, in words, or null when it can be saved. */
export function formProblem(form: SettingsForm): string | null {
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
  const lake = form.lakePath.trim() ? { path: form.lakePath.trim() } : {};
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
