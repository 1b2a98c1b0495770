import { useState } from 'react';
import { DEFAULT_SOH_EOL, sohEolProblem, type SohEol } from '../../../shared/api/soh';
import { api } from '../../api/client';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';
import { ErrorBox } from '../../lib/ui/ErrorBox';

interface EolState {
  eol: SohEol;
  isDefault: boolean;
}

/** Loaded when a component first reads it. */
const store = createStore<EolState>(
  { eol: { ...DEFAULT_SOH_EOL }, isDefault: true },
  {
    onFirstSubscribe: () =>
      void api.soh.eol({}).then((res) => {
        if (res.ok) store.set(res.value);
      }),
  },
);

const FIELDS: { key: keyof SohEol; label: string; unit: string }[] = [
  { key: 'eolSohPct', label: 'End of life at SoH', unit: '%' },
  { key: 'eolDriftPct', label: 'or resistance rise', unit: '%' },
];

/** The end-of-life thresholds the state-of-health panels run their RUL to (stored in the workspace). */
export function EolSettings() {
  const { eol, isDefault } = useStore(store);
  const [draft, setDraft] = useState<Record<keyof SohEol, string> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const values = draft ?? { eolSohPct: String(eol.eolSohPct), eolDriftPct: String(eol.eolDriftPct) };
  const parsed: SohEol = { eolSohPct: Number(values.eolSohPct), eolDriftPct: Number(values.eolDriftPct) };
  const problem = draft ? sohEolProblem(parsed) : null;

  const save = async (next: SohEol | null) => {
    const res = await api.soh.setEol({ eol: next });
    if (!res.ok) return setMessage(res.error.message);
    store.set(res.value);
    setDraft(null);
    setMessage('Saved. The state-of-health panels use it from their next refresh.');
  };

  return (
    <div className="eol-settings" data-testid="eol-settings">
      <p className="dim health-help">
        Remaining useful life runs to the end of life: whichever comes first of a state of health of {eol.eolSohPct} % or a resistance{' '}
        {eol.eolDriftPct} % over the jar&apos;s baseline ({isDefault ? 'defaults' : 'this workspace'}).
      </p>
      <div className="health-form">
        {FIELDS.map((f) => (
          <label key={f.key}>
            {f.label}{' '}
            <input
              type="number"
              value={values[f.key]}
              min={0}
              step={1}
              onChange={(e) => setDraft({ ...values, [f.key]: e.target.value })}
              aria-label={f.label}
            />{' '}
            {f.unit}
          </label>
        ))}
        <button type="button" className="btn small primary" disabled={!draft || problem !== null} onClick={() => void save(parsed)}>
          Save end of life
        </button>
        <button type="button" className="btn small" disabled={isDefault && !draft} onClick={() => void save(null)}>
          Reset to defaults
        </button>
      </div>
      {problem && <ErrorBox variant="inline" error={problem} alert={false} />}
      {message && !problem && <div className="dim">{message}</div>}
    </div>
  );
}
