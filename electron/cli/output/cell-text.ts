import { formatCell } from '../../../shared/format';

/**
 * Display text of one cell for the terminal: shared/format.ts formatCell (the grid's text),
 * with control characters made visible so a value cannot move the cursor or inject
 * terminal escape sequences.
 */
export function cellText(value: unknown, duckdbType: string): string {
  return visibleControls(formatCell(value, duckdbType));
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function visibleControls(text: string): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    if (ch === '\r') return '\\r';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
