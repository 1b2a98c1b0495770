import { Field } from '../../lib/ui/Field';

interface Props {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** A value is kept in the keychain: say so, and offer to forget it. */
  stored: boolean;
  forget: boolean;
  onForget: (forget: boolean) => void;
  /** What "forget the stored …" names, e.g. "password". */
  what: string;
}

/** A write-only secret (never read back): typed to replace the stored one, or the stored one forgotten. */
export function SecretField({ id, label, value, onChange, stored, forget, onForget, what }: Props) {
  return (
    <Field label={label} htmlFor={id}>
      <input
        id={id}
        type="password"
        className="lake-input"
        value={value}
        autoComplete="new-password"
        placeholder={stored ? 'stored (type to replace)' : ''}
        onChange={(e) => onChange(e.target.value)}
        data-testid={id}
      />
      {stored && (
        <label className="radio dim">
          <input type="checkbox" checked={forget} onChange={(e) => onForget(e.target.checked)} />
          forget the stored {what}
        </label>
      )}
    </Field>
  );
}
