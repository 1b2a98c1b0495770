/** One cell for TSV: NULL becomes empty; a cell with a tab, newline or quote is quoted ("" doubled). */
export function tsvCell(text: string | null): string {
  if (text === null) return '';
  return /[\t\n\r"]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of cells (null = SQL NULL) as tab-separated text, optionally with a header line. */
export function toTsv(rows: readonly (readonly (string | null)[])[], header?: readonly string[]): string {
  const lines: string[] = [];
  if (header) lines.push(header.map(tsvCell).join('\t'));
  for (const r of rows) lines.push(r.map(tsvCell).join('\t'));
  return lines.join('\n');
}
