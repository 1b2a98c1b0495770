import { DEFAULT_SOH_EOL, sohEolProblem, type SohEol } from '../../../shared/api/soh';
import { api } from '../../api/client';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';
import { NumberSettingsForm, type NumberField } from './NumberSettingsForm';

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

const FIELDS: readonly NumberField<keyof SohEol>[] = [
  { key: 'eolSohPct', label: 'End of life at SoH', unit: '%' },
  { key: 'eolDriftPct', label: 'or resistance rise', unit: '%' },
];

async function saveEol(eol: SohEol | null): Promise<string | null> {
  const res = await api.soh.setEol({ eol });
  if (!res.ok) return res.error.message;
  store.set(res.value);
  return null;
}

/** The end-of-life thresholds the state-of-health panels run their RUL to (stored in the workspace). */
export function EolSettings() {
  const { eol, isDefault } = useStore(store);

  return (
    <div className="eol-settings" data-testid="eol-settings">
      <p className="dim health-help">
        Remaining useful life runs to the end of life: whichever comes first of a state of health of {eol.eolSohPct} % or a resistance{' '}
        {eol.eolDriftPct} % over the jar&apos;s baseline ({isDefault ? 'defaults' : 'this workspace'}).
      </p>
      <NumberSettingsForm
        fields={FIELDS}
        value={eol}
        isDefault={isDefault}
        problemOf={sohEolProblem}
        save={saveEol}
        saveLabel="Save end of life"
        savedMessage="Saved. The state-of-health panels use it from their next refresh."
      />
    </div>
  );
}
