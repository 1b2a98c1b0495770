import { useState } from 'react';
import { AnomalyThresholdsSchema } from '../../../shared/api/analytics';
import {
  DEFAULT_ANOMALY_THRESHOLDS,
  DEFAULT_SIGN_SETTINGS,
  SIGN_CONVENTIONS,
  type AnomalyThresholds,
  type SignConvention,
  type SignSettings,
} from '../../../shared/domain/analytics';
import { api } from '../../api/client';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';
import { NumberSettingsForm, type NumberField } from './NumberSettingsForm';

/** The workspace's outlier thresholds and sign convention, loaded when a component first reads them. */
const thresholdsStore = createStore<{ thresholds: AnomalyThresholds; isDefault: boolean }>(
  { thresholds: { ...DEFAULT_ANOMALY_THRESHOLDS }, isDefault: true },
  {
    onFirstSubscribe: () =>
      void api.analytics.anomalyThresholds({}).then((res) => {
        if (res.ok) thresholdsStore.set(res.value);
      }),
  },
);

const signStore = createStore<{ settings: SignSettings; isDefault: boolean }>(
  { settings: { ...DEFAULT_SIGN_SETTINGS, sites: {} }, isDefault: true },
  {
    onFirstSubscribe: () =>
      void api.analytics.signConvention({}).then((res) => {
        if (res.ok) signStore.set(res.value);
      }),
  },
);

export const SIGN_LABELS: Readonly<Record<SignConvention, string>> = {
  positive_charge: 'positive = charge',
  positive_discharge: 'positive = discharge',
};

const FIELDS: NumberField<keyof AnomalyThresholds>[] = [
  { key: 'zMin', label: 'Outlier at |z| ≥', unit: '', step: 0.5 },
  { key: 'minHours', label: 'for at least', unit: 'h', step: 1 },
  { key: 'hotspotC', label: 'Hotspot at', unit: '°C over ambient', step: 0.5 },
];

/** A sentence saying what is wrong with the thresholds (the contract's own rules), or null. */
function thresholdsProblem(values: AnomalyThresholds): string | null {
  const parsed = AnomalyThresholdsSchema.safeParse(values);
  if (parsed.success) return null;
  const what = parsed.error.issues.map((i) => `${FIELDS.find((f) => f.key === i.path[0])?.label ?? String(i.path[0])}: ${i.message}`);
  return `These thresholds cannot be used (${what.join('; ')}).`;
}

/** #/fleet: the persistent-outlier and hotspot thresholds of the anomaly panels, and the fleet's default sign convention. */
export function AnomalySettings() {
  const { thresholds, isDefault } = useStore(thresholdsStore);
  const sign = useStore(signStore);
  const [signMessage, setSignMessage] = useState<string | null>(null);

  const save = async (next: AnomalyThresholds | null): Promise<string | null> => {
    const res = await api.analytics.setAnomalyThresholds({ thresholds: next });
    if (!res.ok) return res.error.message;
    thresholdsStore.set(res.value);
    return null;
  };
  const saveSign = async (c: SignConvention) => {
    const res = await api.analytics.setSignConvention({ settings: { default: c, sites: sign.settings.sites } });
    if (!res.ok) return setSignMessage(res.error.message);
    signStore.set(res.value);
    setSignMessage(`Saved. String current is read as ${SIGN_LABELS[c]} where a site does not say otherwise.`);
  };

  return (
    <section className="dash-panel health-settings" data-testid="anomaly-settings">
      <header className="dash-panel-head">
        <h3 className="dash-panel-title">Events and anomalies</h3>
        <span className="dim dash-panel-sub">{isDefault ? 'defaults' : 'this workspace'}</span>
      </header>
      <div className="dash-panel-body">
        <p className="dim health-help">
          A jar is a persistent outlier when its z-score against the other jars of its string stays at or beyond ±{thresholds.zMin} for at
          least {thresholds.minHours} h; a hotspot when it runs {thresholds.hotspotC} °C or more over the string&apos;s ambient as long.
        </p>
        <NumberSettingsForm
          fields={FIELDS}
          value={thresholds}
          isDefault={isDefault}
          problemOf={thresholdsProblem}
          save={save}
          saveLabel="Save thresholds"
          savedMessage="Saved. The anomaly panels use them from their next refresh."
        />
        <div className="health-form sign-form">
          <label>
            String current sign (all sites unless a site&apos;s page says otherwise){' '}
            <select
              value={sign.settings.default}
              aria-label="Default sign convention"
              onChange={(e) => void saveSign(e.target.value as SignConvention)}
            >
              {SIGN_CONVENTIONS.map((c) => (
                <option key={c} value={c}>
                  {SIGN_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {signMessage && (
          <div className="dim" role="status">
            {signMessage}
          </div>
        )}
      </div>
    </section>
  );
}

/** #/location/<id>: how this site's string current reads (its own convention, or the fleet's default). */
export function SiteSignSetting({ locationId }: { locationId: number }) {
  const { settings } = useStore(signStore);
  const [message, setMessage] = useState<string | null>(null);
  const own = settings.sites[String(locationId)];
  const save = async (value: string) => {
    const sites = { ...settings.sites };
    if (value === 'default') delete sites[String(locationId)];
    else sites[String(locationId)] = value as SignConvention;
    const res = await api.analytics.setSignConvention({ settings: { default: settings.default, sites } });
    if (!res.ok) return setMessage(res.error.message);
    signStore.set(res.value);
    setMessage('Saved. The string pages of this site read their events with it from their next refresh.');
  };
  return (
    <section className="dash-panel wide health-settings" data-testid="site-sign">
      <header className="dash-panel-head">
        <h3 className="dash-panel-title">String current sign</h3>
        <span className="dim dash-panel-sub">how discharge events are found on this site&apos;s strings</span>
      </header>
      <div className="dash-panel-body">
        <div className="health-form">
          <label>
            This site reads current as{' '}
            <select value={own ?? 'default'} aria-label="Sign convention of this site" onChange={(e) => void save(e.target.value)}>
              <option value="default">the fleet default ({SIGN_LABELS[settings.default]})</option>
              {SIGN_CONVENTIONS.map((c) => (
                <option key={c} value={c}>
                  {SIGN_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
        </div>
        {message && (
          <div className="dim" role="status">
            {message}
          </div>
        )}
      </div>
    </section>
  );
}
