import type { ReactNode } from 'react';

interface StatProps {
  label: ReactNode;
  value: ReactNode;
  testId?: string;
  /** Test id of the value itself (when tests read the number alone). */
  valueTestId?: string;
  /** Extra classes for the value (e.g. `small mono clip` for long text). */
  valueClassName?: string;
  title?: string;
}

/** One figure of a `lake-stats` row: a big value over a small label. */
export function Stat({ label, value, testId, valueTestId, valueClassName, title }: StatProps) {
  return (
    <div className="lake-stat" data-testid={testId}>
      <div className={valueClassName ? `lake-stat-value ${valueClassName}` : 'lake-stat-value'} data-testid={valueTestId} title={title}>
        {value}
      </div>
      <div className="lake-stat-label">{label}</div>
    </div>
  );
}
