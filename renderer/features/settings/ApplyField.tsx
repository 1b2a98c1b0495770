import { Field } from '../../lib/ui/Field';

interface Props {
  /** The input's id and test id. */
  id: string;
  applyTestId: string;
  label: string;
  inputMode: 'numeric' | 'decimal';
  /** The field's text: what was typed, else the saved value. */
  text: string;
  /** Something was typed (Apply is offered only then). */
  typed: boolean;
  /** What is wrong with the text, or null. */
  problem: string | null;
  saving: boolean;
  /** Shown after the input, e.g. the unit. */
  hint: string;
  onType: (text: string) => void;
  onApply: () => void;
}

/** A settings value typed into a field and applied at once with its Apply button (the sync interval, the feed speed). */
export function ApplyField({ id, applyTestId, label, inputMode, text, typed, problem, saving, hint, onType, onApply }: Props) {
  return (
    <Field label={label} htmlFor={id}>
      <input id={id} className="lake-input" inputMode={inputMode} value={text} onChange={(e) => onType(e.target.value)} data-testid={id} />
      <span className="dim">{hint}</span>
      <button type="button" className="btn" disabled={saving || problem !== null || !typed} onClick={onApply} data-testid={applyTestId}>
        {saving ? 'Applying…' : 'Apply'}
      </button>
      {typed && problem && <span className="bad-text">{problem}</span>}
    </Field>
  );
}
