import type { ReactNode } from 'react';

interface Props<T> {
  /** The group's name (one per set of choices). */
  name: string;
  /** What this choice stands for, and the group's current value. */
  value: T;
  current: T;
  onChange: (value: T) => void;
  testId?: string;
  children: ReactNode;
}

/** One choice of a radio group, with its label. */
export function Radio<T extends string>({ name, value, current, onChange, testId, children }: Props<T>) {
  return (
    <label className="radio">
      <input type="radio" name={name} checked={value === current} onChange={() => onChange(value)} data-testid={testId} />
      {children}
    </label>
  );
}
