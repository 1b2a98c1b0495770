import { useState } from 'react';
import { DEFAULT_SYNC_INTERVAL_SECONDS, type SettingsInfo } from '../../../shared/api/settings';
import { api } from '../../api/client';
import { backgroundSyncText } from '../schema/backgroundSyncText';
import { useDataStatus } from '../schema/dataStatusStore';
import { useSettingsSave } from './useSettingsSave';
import { syncIntervalProblem } from './settingsForm';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { ApplyField } from './ApplyField';

interface Props {
  info: SettingsInfo | null;
  /** The settings as saved with the new interval. */
  onSaved: (info: SettingsInfo) => void;
}

/** "Background sync": how often the mirror follows PostgreSQL (settings.json sync.intervalSeconds), applied at once. */
export function SyncCard({ info, onSaved }: Props) {
  const { status, now } = useDataStatus();
  const saved = info?.settings.sync?.intervalSeconds ?? DEFAULT_SYNC_INTERVAL_SECONDS;
  const [typed, setTyped] = useState<string | null>(null);
  const { saving, error, setError, save } = useSettingsSave(onSaved);
  const text = typed ?? String(saved);
  const problem = syncIntervalProblem(text);
  const background = backgroundSyncText(status?.background, now);

  const apply = async (): Promise<void> => {
    if (await save(() => api.settings.setSyncInterval({ intervalSeconds: Number(text.trim()) }))) setTyped(null);
  };

  return (
    <Card
      label="Background sync"
      testId="settings-sync"
      title="Background sync"
      sub="the local mirror follows PostgreSQL while the workbench is open"
    >
      <ApplyField
        id="settings-sync-interval"
        applyTestId="settings-sync-apply"
        label="Every"
        inputMode="numeric"
        text={text}
        typed={typed !== null}
        problem={problem}
        saving={saving}
        hint="seconds (0 = off)"
        onType={(t) => {
          setTyped(t);
          setError(null);
        }}
        onApply={() => void apply()}
      />
      {background && (
        <div className={background.bad ? 'hint settings-hint bad-text' : 'hint settings-hint'} data-testid="settings-sync-state">
          Now: {background.text}
        </div>
      )}
      <div className="hint settings-hint">
        Each sync copies only what changed in PostgreSQL since the last one (new, corrected and deleted rows); dashboards follow when
        something did. Applies at once, no restart.
      </div>
      {error && <ErrorBox variant="inline" showCode error={error} />}
    </Card>
  );
}
