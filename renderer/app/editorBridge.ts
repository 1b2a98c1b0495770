/**
 * Lets parts of the shell outside the SQL view (the schema browser) put text into the
 * active editor without knowing about CodeMirror.
 */
type Inserter = (text: string) => void;

let inserter: Inserter | null = null;

export function setEditorInserter(fn: Inserter | null): void {
  inserter = fn;
}

/** Inserts at the cursor of the active editor; false when no editor is open. */
export function insertIntoEditor(text: string): boolean {
  if (!inserter) return false;
  inserter(text);
  return true;
}
