import { indentWithTab } from '@codemirror/commands';
import { keymap } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { basicSetup } from 'codemirror';

/**
 * The editor's setup: CodeMirror's own basicSetup (line numbers, history, folding, bracket matching,
 * autocompletion, search panel, ...) plus Tab to indent. The SQL language and the workbench's key
 * bindings are added by SqlEditor.
 */
export const editorSetup: Extension = [basicSetup, keymap.of([indentWithTab])];
