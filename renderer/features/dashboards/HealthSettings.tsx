import {
  DEFAULT_HEALTH_THRESHOLDS,
  HEALTH_CLASSES,
  HEALTH_LABELS,
  healthClass,
  thresholdsProblem,
  type HealthThresholds,
} from '../../../shared/domain/health';
import { api } from '../../api/client';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';
import { HEALTH_COLORS } from './palette';
import { EolSettings } from './EolSettings';
import { NumberSettingsForm, type NumberField } from './NumberSettingsForm';

interface ThresholdsState {
  thresholds: HealthThresholds;
  isDefault: boolean;
}

/** Loaded when a component first reads it. */
const store = createStore<ThresholdsState>(
  { thresholds: { ...DEFAULT_HEALTH_THRESHOLDS }, isDefault: true },
  {
    onFirstSubscribe: () =>
      void api.dashboard.thresholds({}).then((res) => {
        if (res.ok) store.set(res.value);
      }),
  },
);

/** The workspace's health thresholds (loaded once, updated when saved here). */
export function useThresholds(): ThresholdsState {
  return useStore(store);
}

/** Colour of a drift value under the current thresholds. */
export function driftColorFor(pct: number, t: HealthThresholds): string {
  return HEALTH_COLORS[healthClass(pct, t)];
}

const FIELDS: readonly NumberField<keyof HealthThresholds>[] = [
  { key: 'watchPct', label: 'Watch from', unit: '%', step: 0.5 },
  { key: 'degradedPct', label: 'Degraded from', unit: '%', step: 0.5 },
  { key: 'replacePct', label: 'Replace from', unit: '%', step: 0.5 },
  { key: 'baselineDays', label: 'Baseline: first', unit: 'days', min: 1 },
];

async function saveThresholds(t: HealthThresholds | null): Promise<string | null> {
  const res = await api.dashboard.setThresholds({ thresholds: t });
  if (!res.ok) return res.error.message;
  store.set(res.value);
  return null;
}

/** Legend of the health classes and an editor for their thresholds (stored in the workspace). */
export function HealthSettings() {
  const { thresholds, isDefault } = useThresholds();

  return (
    <section className="dash-panel health-settings" data-testid="health-settings">
      <header className="dash-panel-head">
        <h3 className="dash-panel-title">Health classes</h3>
        <span className="dim dash-panel-sub">{isDefault ? 'defaults' : 'this workspace'}</span>
      </header>
      <div className="dash-panel-body">
        <p className="dim health-help">
          A jar&apos;s drift is its latest daily mean internal resistance against its own baseline (the mean of its first{' '}
          {thresholds.baselineDays} days), in %.
        </p>
        <ul className="health-legend">
          {HEALTH_CLASSES.map((c) => (
            <li key={c}>
              <span className="swatch" style={{ background: HEALTH_COLORS[c] }} /> {HEALTH_LABELS[c]}
              <span className="dim">
                {c === 'healthy' && ` < ${thresholds.watchPct} %`}
                {c === 'watch' && ` ${thresholds.watchPct}–${thresholds.degradedPct} %`}
                {c === 'degraded' && ` ${thresholds.degradedPct}–${thresholds.replacePct} %`}
                {c === 'replace' && ` ≥ ${thresholds.replacePct} %`}
                {c === 'unknown' && ' history shorter than the baseline'}
              </span>
            </li>
          ))}
        </ul>
        <NumberSettingsForm
          fields={FIELDS}
          value={thresholds}
          isDefault={isDefault}
          problemOf={thresholdsProblem}
          save={saveThresholds}
          saveLabel="Save"
          savedMessage="Saved. Panels use the new thresholds from their next refresh."
        />
        <EolSettings />
      </div>
    </section>
  );
}
