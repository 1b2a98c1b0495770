/** Display width of a string in a terminal: wide (CJK, emoji) characters take two cells. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0x200d || (cp >= 0x300 && cp <= 0x36f) || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

export interface TableColumn {
  name: string;
  type: string;
  /** Numbers are right-aligned. */
  alignRight: boolean;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;

export function isNumericType(duckdbType: string): boolean {
  return NUMERIC.test(duckdbType.trim());
}

/**
 * Column widths that fit `maxWidth` terminal cells: natural widths (capped at `maxCellWidth`),
 * then the widest column gives way one cell at a time (down to 8) until the row fits.
 */
export function fitWidths(natural: number[], maxWidth: number, maxCellWidth: number): number[] {
  const widths = natural.map((w) => Math.min(w, maxCellWidth));
  const separators = 3 * Math.max(0, widths.length - 1);
  let total = widths.reduce((a, b) => a + b, 0) + separators;
  while (total > maxWidth) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i] > 8 && (widest < 0 || widths[i] > widths[widest])) widest = i;
    if (widest < 0) break;
    widths[widest] -= 1;
    total -= 1;
  }
  return widths;
}

/**
 * An aligned text table: header, type line, a rule, the rows, fitted to `maxWidth` cells.
 * Cells wider than their column are cut with an ellipsis (the full value is in --json output).
 */
export function renderTable(columns: TableColumn[], rows: string[][], maxWidth = Number.POSITIVE_INFINITY, maxCellWidth = 80): string {
  const types = columns.map((c) => c.type.toLowerCase());
  const natural = columns.map((c, i) =>
    Math.max(displayWidth(c.name), Math.min(displayWidth(types[i]), 12), ...rows.map((r) => displayWidth(r[i]))),
  );
  const widths = fitWidths(natural, maxWidth, maxCellWidth);
  const line = (parts: string[], alignByColumn: boolean): string =>
    parts
      .map((p, i) => pad(truncate(p, widths[i]), widths[i], alignByColumn && columns[i].alignRight))
      .join(' │ ')
      .trimEnd();
  const out = [
    line(
      columns.map((c) => c.name),
      false,
    ),
    line(types, false),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
  ];
  for (const r of rows) out.push(line(r, true));
  return `${out.join('\n')}\n`;
}

/** A table of text columns (headers, then rows of cells) for a command's plain output, fitted to the terminal's width when known. */
export function textTable(header: readonly string[], rows: string[][], width: number | undefined): string {
  const columns = header.map((name) => ({ name, type: 'VARCHAR', alignRight: false }));
  return `${renderTable(columns, rows, width && width > 20 ? width : 240, 100)}\n`;
}
