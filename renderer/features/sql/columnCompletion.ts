import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import type { CatalogTree } from '../../../shared/api/catalog';
import { displayIdent } from '../schema/identifiers';
import { tablesInStatement } from './sqlLanguage';
import { statementAt } from './statements';

/**
 * Bare column names of the tables the current statement reads (lang-sql only completes
 * `table.column`): typing `WHERE so` after `FROM battery` offers `soh`.
 */
export function columnCompletion(tree: CatalogTree | null, defaultDb: string | null): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[\w$]*/);
    if (!word) return null;
    if (word.from === word.to && !context.explicit) return null;
    const before = context.state.sliceDoc(Math.max(0, word.from - 1), word.from);
    if (before === '.' || before === '"') return null;
    const doc = context.state.doc.toString();
    const stmt = statementAt(doc, context.pos);
    if (!stmt) return null;
    const tables = tablesInStatement(stmt.text, tree, defaultDb);
    if (tables.length === 0) return null;
    const seen = new Set<string>();
    const options: Completion[] = [];
    for (const t of tables) {
      for (const c of t.columns) {
        if (seen.has(c.name)) continue;
        seen.add(c.name);
        options.push({ label: c.name, apply: displayIdent(c.name), type: 'property', detail: `${c.type} · ${t.name}`, boost: 10 });
      }
    }
    return { from: word.from, options, validFor: /^[\w$]*$/ };
  };
}
