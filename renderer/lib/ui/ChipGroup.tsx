import type { ReactNode } from 'react';

export interface Chip<T> {
  value: T;
  label: ReactNode;
  /** Tooltip. */
  title?: string;
  /** Always on and not to be changed (e.g. a key column). */
  fixed?: boolean;
}

interface Props<T> {
  /** The group's accessible name. */
  label: string;
  chips: readonly Chip<T>[];
  selected: readonly T[];
  onToggle: (value: T, on: boolean) => void;
  /** Shown when there are no chips. */
  empty?: ReactNode;
}

/** A set of on/off chips (checkboxes drawn as pills): pick any of several values. */
export function ChipGroup<T extends string | number>({ label, chips, selected, onToggle, empty }: Props<T>) {
  return (
    <div className="chip-group" role="group" aria-label={label}>
      {chips.length === 0 && empty}
      {chips.map((c) => {
        const on = c.fixed === true || selected.includes(c.value);
        return (
          <label key={c.value} className={`chip${on ? ' on' : ''}${c.fixed ? ' fixed' : ''}`} title={c.title}>
            <input type="checkbox" checked={on} disabled={c.fixed} onChange={(e) => onToggle(c.value, e.target.checked)} />
            {c.label}
          </label>
        );
      })}
    </div>
  );
}
