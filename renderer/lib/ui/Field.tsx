import type { ReactNode } from 'react';

interface Props {
  label: ReactNode;
  /** The id of the control the label names; without it the label is plain text (a group of radios, several controls). */
  htmlFor?: string;
  /** A dim note after the control(s). */
  hint?: ReactNode;
  /**
   * `row` (default): label, controls and hint on one line (`lake-field`).
   * `stacked`: the label above one control, the whole a <label> (`field-stacked`).
   */
  layout?: 'row' | 'stacked';
  /** Stacked: a narrow field (a number). */
  narrow?: boolean;
  /** Row: a group of controls with a name (role=group or radiogroup). */
  role?: 'group' | 'radiogroup';
  ariaLabel?: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/** A form field: its label, its control(s), an optional hint. */
export function Field({ label, htmlFor, hint, layout = 'row', narrow, role, ariaLabel, className, testId, children }: Props) {
  if (layout === 'stacked') {
    return (
      <label className={narrow ? 'field-stacked narrow' : 'field-stacked'} data-testid={testId}>
        <span>{label}</span>
        {children}
        {hint !== undefined && <span className="hint">{hint}</span>}
      </label>
    );
  }
  return (
    <div className={className ? `lake-field ${className}` : 'lake-field'} role={role} aria-label={ariaLabel} data-testid={testId}>
      {htmlFor ? (
        <label className="lake-label" htmlFor={htmlFor}>
          {label}
        </label>
      ) : (
        <span className="lake-label">{label}</span>
      )}
      {children}
      {hint !== undefined && <span className="hint">{hint}</span>}
    </div>
  );
}

/** A field's problem in words, under it; nothing when there is none. */
export function FieldError({ children }: { children: ReactNode }) {
  return children ? <div className="field-error">{children}</div> : null;
}
