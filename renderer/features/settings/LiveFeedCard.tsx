import { useState } from 'react';
import type { LiveFeedStatus } from '../../../shared/api/data';
import { DEFAULT_LIVE_SPEED, type SettingsInfo } from '../../../shared/api/settings';
import { formatCount } from '../../../shared/format';
import { api } from '../../api/client';
import { useDataStatus } from '../schema/dataStatusStore';
import { useSettingsSave } from './useSettingsSave';
import { Card } from '../../lib/ui/Card';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { Field } from '../../lib/ui/Field';
import { liveSpeedProblem } from './settingsForm';
import { ApplyField } from './ApplyField';
import { instantText } from '../../lib/ui/wallClock';

interface Props {
  info: SettingsInfo | null;
  /** The settings as saved with the new switch. */
  onSaved: (info: SettingsInfo) => void;
}

function feedText(s: LiveFeedStatus | undefined): string {
  if (!s || s.state === 'off') return 'off';
  if (s.state === 'waiting') return `waiting: ${s.message ?? 'nothing to feed yet'}`;
  const last = s.lastReadingAt ? `, last reading ${instantText(s.lastReadingAt)} UTC` : '';
  return `running at ${s.speed}x: ${formatCount(s.ticks)} ticks, ${formatCount(s.rows)} readings, ${formatCount(s.alertsRaised)} alerts${last}`;
}

/** "Live demo feed": new readings for the demo fleet every 5 minutes (or faster), settings.json liveFeed, applied at once. */
export function LiveFeedCard({ info, onSaved }: Props) {
  const { status } = useDataStatus();
  const saved = info?.settings.liveFeed ?? { enabled: false, speed: DEFAULT_LIVE_SPEED };
  const [typed, setTyped] = useState<string | null>(null);
  const { saving, error, setError, save: saveWith } = useSettingsSave(onSaved);
  const text = typed ?? String(saved.speed);
  const problem = liveSpeedProblem(text);

  const save = async (enabled: boolean): Promise<void> => {
    const speed = problem ? saved.speed : Number(text.trim());
    if (await saveWith(() => api.settings.setLiveFeed({ enabled, speed }))) setTyped(null);
  };

  return (
    <Card label="Live demo feed" testId="settings-live-feed" title="Live demo feed" sub="keeps adding readings to the demo fleet">
      <Field label="Feed" htmlFor="settings-live-feed-enabled">
        <label>
          <input
            id="settings-live-feed-enabled"
            type="checkbox"
            checked={saved.enabled}
            disabled={saving || info === null}
            onChange={(e) => void save(e.target.checked)}
            data-testid="settings-live-feed-enabled"
          />{' '}
          on
        </label>
      </Field>
      <ApplyField
        id="settings-live-feed-speed"
        applyTestId="settings-live-feed-apply"
        label="Speed"
        inputMode="decimal"
        text={text}
        typed={typed !== null}
        problem={problem}
        saving={saving}
        hint="x as often (1 = readings every 5 minutes, 60 = every 5 s)"
        onType={(t) => {
          setTyped(t);
          setError(null);
        }}
        onApply={() => void save(saved.enabled)}
      />
      <div className="hint settings-hint" data-testid="settings-live-feed-state">
        Now: {feedText(status?.liveFeed)}
      </div>
      <div className="hint settings-hint">
        Writes jar and string telemetry for the whole demo fleet into PostgreSQL (and now and then a temperature alert), so the background
        sync, freshness and alerts can be seen working. Readings are stamped when written. Only a demo fleet is fed; off by default; applies
        at once.
      </div>
      {error && <ErrorBox variant="inline" showCode error={error} />}
    </Card>
  );
}
