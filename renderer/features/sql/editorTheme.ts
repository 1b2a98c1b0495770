import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { tags as t } from '@lezer/highlight';

/** Editor look from the app's CSS variables, so light and dark follow the OS with the rest of the UI. */
export const editorTheme: Extension = [
  EditorView.theme({
    '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--bg)', color: 'var(--fg)' },
    '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
    '.cm-content': { caretColor: 'var(--fg)' },
    '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
    '&.cm-focused': { outline: 'none' },
    '.cm-gutters': { backgroundColor: 'var(--bg-alt)', color: 'var(--fg-dim)', borderRight: '1px solid var(--border)' },
    '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
    '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
    '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
      backgroundColor: 'var(--selection) !important',
    },
    '.cm-tooltip': { backgroundColor: 'var(--bg-raised)', color: 'var(--fg)', border: '1px solid var(--border)' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
    '.cm-completionDetail': { color: 'var(--fg-dim)', fontStyle: 'normal', marginLeft: '1em' },
    '.cm-tooltip-autocomplete > ul > li[aria-selected] .cm-completionDetail': { color: 'inherit', opacity: '0.8' },
    '.cm-matchingBracket': { backgroundColor: 'var(--selection)', outline: 'none' },
    '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
    '.cm-panels': { backgroundColor: 'var(--bg-alt)', color: 'var(--fg)' },
    // Plain letters instead of the default glyphs, which many system fonts lack.
    '.cm-completionIcon': { width: '1.4em', opacity: '0.75', fontFamily: 'var(--mono)', fontSize: '11px', fontWeight: '700' },
    '.cm-completionIcon-keyword:after': { content: "'K'" },
    '.cm-completionIcon-type:after': { content: "'T'" },
    '.cm-completionIcon-variable:after': { content: "'V'" },
    '.cm-completionIcon-property:after': { content: "'c'" },
    '.cm-completionIcon-namespace:after': { content: "'S'" },
    '.cm-completionIcon-function:after': { content: "'f'" },
  }),
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: [t.keyword, t.operatorKeyword, t.modifier], color: 'var(--syn-keyword)', fontWeight: '600' },
      { tag: [t.typeName, t.standard(t.name)], color: 'var(--syn-type)' },
      { tag: [t.string, t.special(t.string)], color: 'var(--syn-string)' },
      { tag: [t.number, t.bool, t.null], color: 'var(--syn-number)' },
      { tag: [t.lineComment, t.blockComment, t.comment], color: 'var(--syn-comment)', fontStyle: 'italic' },
      { tag: [t.special(t.name), t.special(t.variableName)], color: 'var(--syn-ident)' },
      { tag: t.operator, color: 'var(--fg-dim)' },
    ]),
  ),
];
