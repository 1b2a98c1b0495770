import { useState } from 'react';
import type { ApiError, Result } from '../../../shared/api/errors';
import type { SettingsInfo } from '../../../shared/api/settings';
import { refreshDataStatus } from '../schema/dataStatusStore';

/** A settings change applied at once (sync interval, live feed): saving state, its error, and the saved settings handed on. */
export function useSettingsSave(onSaved: (info: SettingsInfo) => void) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  /** Runs `call`; true when it saved. */
  const save = async (call: () => Promise<Result<SettingsInfo>>): Promise<boolean> => {
    setSaving(true);
    setError(null);
    const res = await call();
    setSaving(false);
    if (!res.ok) {
      setError(res.error);
      return false;
    }
    onSaved(res.value);
    void refreshDataStatus();
    return true;
  };
  return { saving, error, setError, save };
}
