import { useEffect, useRef } from 'react';

/** The keyboard shortcuts, by where they apply. "Mod" is Ctrl, or Cmd on a Mac. */
export const SHORTCUTS: readonly { area: string; keys: readonly { keys: string; what: string }[] }[] = [
  {
    area: 'Anywhere',
    keys: [{ keys: '?', what: 'Show this sheet (outside a text field)' }],
  },
  {
    area: 'SQL editor',
    keys: [
      { keys: 'Mod+Enter', what: 'Run the statement under the cursor, or the selection' },
      { keys: 'Mod+Shift+Enter', what: 'Run every statement' },
      { keys: 'Shift+Alt+F', what: 'Format the SQL (the selection, or all of it)' },
      { keys: 'Esc', what: 'Close the completion list, else cancel the running query' },
      { keys: 'Mod+Space', what: 'Complete a table, column or keyword' },
      { keys: 'Mod+F', what: 'Find and replace' },
      { keys: 'Mod+/', what: 'Comment or uncomment the line' },
      { keys: 'Tab / Shift+Tab', what: 'Indent / outdent' },
    ],
  },
  {
    area: 'Results grid',
    keys: [
      { keys: 'Mod+C', what: 'Copy the selected cells (tab-separated)' },
      { keys: 'Mod+Shift+C', what: 'Copy them with their column names' },
      { keys: 'Arrows, Page Up/Down, Home/End', what: 'Move the selection; with Shift, extend it' },
      { keys: 'Click a column header', what: 'Sort by it' },
    ],
  },
];

/** True when a key press goes to something the user types in (then `?` is a character, not a command). */
export function typingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The keyboard-shortcut sheet: a modal dialog, closed by Esc, its button or a click outside. */
export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="shortcut-sheet"
      data-testid="shortcut-sheet"
      aria-label="Keyboard shortcuts"
      onClose={onClose}
      onClick={(e) => {
        if (e.target === dialog.current) dialog.current?.close();
      }}
    >
      <div className="panel-header">
        <span className="panel-title">Keyboard shortcuts</span>
        <span className="spacer" />
        <button type="button" className="icon-btn" aria-label="Close" onClick={() => dialog.current?.close()}>
          ×
        </button>
      </div>
      {SHORTCUTS.map((group) => (
        <section key={group.area}>
          <h3>{group.area}</h3>
          <table>
            <tbody>
              {group.keys.map((k) => (
                <tr key={k.keys}>
                  <td>
                    <kbd>{k.keys}</kbd>
                  </td>
                  <td>{k.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </dialog>
  );
}
