import { useState } from 'react';
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
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { EolSettings } from './EolSettings';

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

const FIELDS: { key: keyof HealthThresholds; label: string; unit: string }[] = [
  { key: 'watchPct', label: 'Watch from', unit: '%' },
  { key: 'degradedPct', label: 'Degraded from', unit: '%' },
  { key: 'replacePct', label: 'Replace from', unit: '%' },
  { key: 'baselineDays', label: 'Baseline: first', unit: 'days' },
];

/** Legend of the health classes and an editor for their thresholds (stored in the workspace). */
export function HealthSettings() {
  const { thresholds, isDefault } = useThresholds();
  const [draft, setDraft] = useState<Record<keyof HealthThresholds, string> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const values = draft ?? {
    watchPct: String(thresholds.watchPct),
    degradedPct: String(thresholds.degradedPct),
    replacePct: String(thresholds.replacePct),
    baselineDays: String(thresholds.baselineDays),
  };
  const parsed: HealthThresholds = {
    watchPct: Number(values.watchPct),
    degradedPct: Number(values.degradedPct),
    replacePct: Number(values.replacePct),
    baselineDays: Number(values.baselineDays),
  };
  const problem = draft ? thresholdsProblem(parsed) : null;

  const save = async (t: HealthThresholds | null) => {
    const res = await api.dashboard.setThresholds({ thresholds: t });
    if (!res.ok) return setMessage(res.error.message);
    store.set(res.value);
    setDraft(null);
    setMessage('Saved. Panels use the new thresholds from their next refresh.');
  };

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
        <div className="health-form">
          {FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}{' '}
              <input
                type="number"
                value={values[f.key]}
                min={f.key === 'baselineDays' ? 1 : 0}
                step={f.key === 'baselineDays' ? 1 : 0.5}
                onChange={(e) => setDraft({ ...values, [f.key]: e.target.value })}
                aria-label={f.label}
              />{' '}
              {f.unit}
            </label>
          ))}
          <button type="button" className="btn small primary" disabled={!draft || problem !== null} onClick={() => void save(parsed)}>
            Save
          </button>
          <button type="button" className="btn small" disabled={isDefault && !draft} onClick={() => void save(null)}>
            Reset to defaults
          </button>
        </div>
        {problem && <ErrorBox variant="inline" error={problem} alert={false} />}
        {message && !problem && <div className="dim">{message}</div>}
        <EolSettings />
      </div>
    </section>
  );
}
