import { useState } from 'react';
import { ErrorBox } from '../../lib/ui/ErrorBox';

/** One number of a settings form. */
export interface NumberField<K extends string> {
  key: K;
  label: string;
  unit: string;
  min?: number;
  step?: number;
}

interface Props<K extends string> {
  fields: readonly NumberField<K>[];
  /** The stored values (or the defaults). */
  value: Readonly<Record<K, number>>;
  isDefault: boolean;
  /** A sentence saying what is wrong with the values, or null. */
  problemOf(values: Record<K, number>): string | null;
  /** Stores the values (null: back to the defaults); resolves to an error message, or null when saved. */
  save(values: Record<K, number> | null): Promise<string | null>;
  saveLabel: string;
  savedMessage: string;
}

/** A row of number inputs with Save and Reset to defaults: the settings forms of the dashboards (health classes, end of life). */
export function NumberSettingsForm<K extends string>({ fields, value, isDefault, problemOf, save, saveLabel, savedMessage }: Props<K>) {
  const [draft, setDraft] = useState<Record<K, string> | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const shown = (key: K): string => (draft ? draft[key] : String(value[key]));
  const parsed = Object.fromEntries(fields.map((f) => [f.key, Number(shown(f.key))])) as Record<K, number>;
  const problem = draft ? problemOf(parsed) : null;

  const submit = async (next: Record<K, number> | null) => {
    const error = await save(next);
    if (error !== null) return setMessage(error);
    setDraft(null);
    setMessage(savedMessage);
  };
  const edit = (key: K, text: string) => {
    const current = Object.fromEntries(fields.map((f) => [f.key, shown(f.key)])) as Record<K, string>;
    setDraft({ ...current, [key]: text });
  };

  return (
    <>
      <div className="health-form">
        {fields.map((f) => (
          <label key={f.key}>
            {f.label}{' '}
            <input
              type="number"
              value={shown(f.key)}
              min={f.min ?? 0}
              step={f.step ?? 1}
              onChange={(e) => edit(f.key, e.target.value)}
              aria-label={f.label}
            />{' '}
            {f.unit}
          </label>
        ))}
        <button type="button" className="btn small primary" disabled={!draft || problem !== null} onClick={() => void submit(parsed)}>
          {saveLabel}
        </button>
        <button type="button" className="btn small" disabled={isDefault && !draft} onClick={() => void submit(null)}>
          Reset to defaults
        </button>
      </div>
      {problem && <ErrorBox variant="inline" error={problem} alert={false} />}
      {message && !problem && <div className="dim">{message}</div>}
    </>
  );
}
