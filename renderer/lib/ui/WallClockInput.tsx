import { useRef, useState } from 'react';
import { parseWallClock, wallClockText } from './wallClock';

interface Props {
  /** `YYYY-MM-DDTHH:MM` (the zone is the field label's), or the text typed when it is not one. */
  value: string;
  /** Called with `YYYY-MM-DDTHH:MM` when the text reads as one, else with the text itself (the form names it). */
  onChange: (value: string) => void;
  ariaLabel?: string;
  testId?: string;
}

/**
 * A date-time typed as `YYYY-MM-DD HH:MM`, as the app writes times everywhere, rather than in the machine's locale
 * (a native `datetime-local` shows `12/04/2026, 12:00 AM` on an English system, `04.12.2026, 00:00` on a German
 * one) under a label that says UTC. The calendar button opens the native picker on a hidden input.
 */
export function WallClockInput({ value, onChange, ariaLabel, testId }: Props) {
  const [text, setText] = useState(() => wallClockText(value));
  const native = useRef<HTMLInputElement>(null);
  // A value set from outside (a "Use all" button, a pasted spec) replaces what was typed.
  const typed = parseWallClock(text) ?? text;
  const shown = typed === value ? text : wallClockText(value);
  const invalid = shown.trim() !== '' && parseWallClock(shown) === null;
  const valid = parseWallClock(value) !== null;

  const set = (next: string) => {
    setText(next);
    onChange(parseWallClock(next) ?? next);
  };

  return (
    <span className="wallclock">
      <input
        type="text"
        value={shown}
        onChange={(e) => set(e.target.value)}
        placeholder="YYYY-MM-DD HH:MM"
        spellCheck={false}
        inputMode="numeric"
        aria-label={ariaLabel}
        aria-invalid={invalid}
        title={invalid ? 'Not a date and time: write it as YYYY-MM-DD HH:MM (24 h)' : 'YYYY-MM-DD HH:MM (24 h)'}
        data-testid={testId}
      />
      <button
        type="button"
        className="btn small wallclock-pick"
        aria-label={ariaLabel ? `${ariaLabel}: pick from a calendar` : 'Pick from a calendar'}
        title="Pick from a calendar"
        onClick={() => {
          try {
            native.current?.showPicker();
          } catch {
            native.current?.focus();
          }
        }}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <rect x="2" y="3" width="12" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
          <path d="M2 6.5h12M5 1.5v3M11 1.5v3" stroke="currentColor" strokeWidth="1.3" fill="none" />
        </svg>
      </button>
      <input
        ref={native}
        type="datetime-local"
        className="wallclock-native"
        tabIndex={-1}
        aria-hidden="true"
        value={valid ? value : ''}
        onChange={(e) => set(wallClockText(e.target.value))}
      />
    </span>
  );
}
