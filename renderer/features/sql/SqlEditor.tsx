import { useEffect, useRef } from 'react';
import { closeCompletion, type CompletionSource } from '@codemirror/autocomplete';
import { isolateHistory } from '@codemirror/commands';
import { sql, type SQLNamespace } from '@codemirror/lang-sql';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { errorMessage } from '../../../shared/api/errors';
import { editorSetup } from './editorSetup';
import { editorTheme } from './editorTheme';
import { DuckDBDialect } from './sqlLanguage';
import { formatSql } from './formatSql';
import { statementAt } from './statements';

/** What the SQL view can ask of the editor. */
export interface EditorHandle {
  insert(text: string): void;
  replaceAll(text: string): void;
  focus(): void;
  /** The selection if any, else the statement at the cursor. */
  runnableText(): string | null;
  allText(): string;
  /** Formats the selection, or all the SQL, as one undoable change; returns why it could not, or null. */
  format(): string | null;
}

interface Props {
  /** Identifies the document (one per tab); each keeps its own undo history. */
  docId: string;
  initialDoc: string;
  /** Ids of the documents still open; parked states of others are dropped. */
  openDocIds: readonly string[];
  schema: SQLNamespace;
  /** Extra completion (e.g. bare columns of the tables in the statement). */
  columns: CompletionSource;
  onChange: (docId: string, doc: string) => void;
  onRun: (sql: string) => void;
  onRunAll: (sql: string) => void;
  /** Esc: returns true when it cancelled something (then Esc is consumed). */
  onCancel: () => boolean;
  onReady: (handle: EditorHandle | null) => void;
  /** Format SQL (Shift+Alt+F) could not parse the text: the reason. */
  onFormatError: (message: string) => void;
}

interface Callbacks {
  onChange: Props['onChange'];
  onRun: Props['onRun'];
  onRunAll: Props['onRunAll'];
  onCancel: Props['onCancel'];
  onFormatError: Props['onFormatError'];
}

/** The text to run; running also closes an open completion popup. */
function runnable(view: EditorView): string | null {
  closeCompletion(view);
  const sel = view.state.selection.main;
  if (!sel.empty) {
    const text = view.state.sliceDoc(sel.from, sel.to).trim();
    if (text) return text;
  }
  return statementAt(view.state.doc.toString(), sel.head)?.text ?? null;
}

/** Formats the selection (or the whole document) in one undoable change; returns the reason it could not, or null. */
function formatIn(view: EditorView): string | null {
  const sel = view.state.selection.main;
  const [from, to] = sel.empty ? [0, view.state.doc.length] : [sel.from, sel.to];
  const text = view.state.sliceDoc(from, to);
  if (!text.trim()) return null;
  try {
    const formatted = formatSql(text);
    // Its own undo step, never merged with the typing before it.
    view.dispatch({
      changes: { from, to, insert: formatted },
      selection: { anchor: from, head: from + formatted.length },
      scrollIntoView: true,
      annotations: isolateHistory.of('full'),
      userEvent: 'format',
    });
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}

/** The one wrapper around CodeMirror 6: owns the EditorView, one EditorState per document. */
export function SqlEditor({
  docId,
  initialDoc,
  openDocIds,
  schema,
  columns,
  onChange,
  onRun,
  onRunAll,
  onCancel,
  onReady,
  onFormatError,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const states = useRef(new Map<string, EditorState>());
  const currentDoc = useRef<string | null>(null);
  const language = useRef(new Compartment());
  const callbacks = useRef<Callbacks>({ onChange, onRun, onRunAll, onCancel, onFormatError });
  const extensions = useRef<Extension | null>(null);

  useEffect(() => {
    callbacks.current = { onChange, onRun, onRunAll, onCancel, onFormatError };
  }, [onChange, onRun, onRunAll, onCancel, onFormatError]);

  // Create the view once.
  useEffect(() => {
    if (!host.current) return;
    const cb = callbacks;
    extensions.current = [
      Prec.highest(
        keymap.of([
          {
            key: 'Mod-Enter',
            run: (v) => {
              const text = runnable(v);
              if (text) cb.current.onRun(text);
              return true;
            },
          },
          {
            key: 'Shift-Alt-f',
            run: (v) => {
              const problem = formatIn(v);
              if (problem) cb.current.onFormatError(problem);
              return true;
            },
          },
          {
            key: 'Mod-Shift-Enter',
            run: (v) => {
              closeCompletion(v);
              const text = v.state.doc.toString();
              if (text.trim()) cb.current.onRunAll(text);
              return true;
            },
          },
        ]),
      ),
      editorSetup,
      // After the setup's keymaps: Esc closes the completion popup first, then cancels a run.
      keymap.of([{ key: 'Escape', run: () => cb.current.onCancel() }]),
      language.current.of(sql({ dialect: DuckDBDialect, upperCaseKeywords: true })),
      editorTheme,
      EditorView.lineWrapping,
      EditorView.updateListener.of((u) => {
        if (u.docChanged && currentDoc.current) cb.current.onChange(currentDoc.current, u.state.doc.toString());
      }),
    ];
    const v = new EditorView({ parent: host.current });
    view.current = v;
    const savedStates = states.current;
    return () => {
      v.destroy();
      view.current = null;
      currentDoc.current = null;
      savedStates.clear();
    };
  }, []);

  // Switch documents: park the old state, restore or create the new one.
  useEffect(() => {
    const v = view.current;
    if (!v || !extensions.current) return;
    if (currentDoc.current === docId) return;
    if (currentDoc.current) states.current.set(currentDoc.current, v.state);
    const saved = states.current.get(docId);
    v.setState(saved ?? EditorState.create({ doc: initialDoc, extensions: extensions.current }));
    currentDoc.current = docId;
    v.focus();
  }, [docId, initialDoc]);

  const openKey = openDocIds.join('\n');
  useEffect(() => {
    const open = new Set(openKey.split('\n'));
    for (const id of [...states.current.keys()]) if (!open.has(id)) states.current.delete(id);
  }, [openKey]);

  // Live catalog → completion (for the visible document; others pick it up when shown).
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch({
      effects: language.current.reconfigure([
        sql({ dialect: DuckDBDialect, upperCaseKeywords: true, schema, defaultSchema: 'main' }),
        DuckDBDialect.language.data.of({ autocomplete: columns }),
      ]),
    });
  }, [schema, columns, docId]);

  useEffect(() => {
    const handle: EditorHandle = {
      insert(text) {
        const v = view.current;
        if (!v) return;
        const sel = v.state.selection.main;
        v.dispatch({
          changes: { from: sel.from, to: sel.to, insert: text },
          selection: { anchor: sel.from + text.length },
          scrollIntoView: true,
        });
        v.focus();
      },
      replaceAll(text) {
        const v = view.current;
        if (!v) return;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: text.length } });
        v.focus();
      },
      focus() {
        view.current?.focus();
      },
      runnableText() {
        return view.current ? runnable(view.current) : null;
      },
      allText() {
        if (view.current) closeCompletion(view.current);
        return view.current?.state.doc.toString() ?? '';
      },
      format() {
        const v = view.current;
        if (!v) return null;
        const problem = formatIn(v);
        v.focus();
        return problem;
      },
    };
    onReady(handle);
    return () => onReady(null);
  }, [onReady]);

  return <div className="sql-editor" ref={host} data-testid="sql-editor" />;
}
