import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { ChartSettings } from '../../../shared/api/chart';
import type { ApiError } from '../../../shared/api/errors';
import type { QueryTarget } from '../../../shared/api/query';
import { savedLeaf, savedNameProblem, type SavedQuery } from '../../../shared/api/saved-queries';
import { sqlParamNames } from '../../../shared/sql-lex';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { SidePanelHeader } from './SidePanelHeader';
import { declsFor, relinkSaved, setTabParams, useTabParams } from './paramsStore';

interface Props {
  tabId: string;
  tabTitle: string;
  sql: string;
  target: QueryTarget;
  /** The tab's chart settings: they travel with the saved query. */
  chart: ChartSettings | undefined;
  onOpen: (query: SavedQuery) => void;
  onClose: () => void;
}

/**
 * The workspace's saved queries by folder (a name `fleet/daily voltage` is in the folder `fleet`): save the tab
 * (over the query it came from, or as a new name), open, rename, delete.
 */
export function SavedPanel({ tabId, tabTitle, sql, target, chart, onOpen, onClose }: Props) {
  const tab = useTabParams(tabId);
  const [queries, setQueries] = useState<SavedQuery[]>([]);
  const [error, setError] = useState<ApiError | string | null>(null);
  // The name typed in, for the tab (and link) it was typed for; another tab starts from its own name.
  const nameKey = `${tabId}\n${tab.savedName ?? ''}\n${tabTitle}`;
  const [draft, setDraft] = useState<{ key: string; name: string } | null>(null);
  const name = draft?.key === nameKey ? draft.name : (tab.savedName ?? tabTitle);
  const setName = (next: string) => setDraft({ key: nameKey, name: next });
  const [refresh, setRefresh] = useState(0);
  const [renaming, setRenaming] = useState<{ from: string; to: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void api.savedQueries.list({}).then((res) => {
      if (!live) return;
      if (res.ok) setQueries(res.value.queries);
      else setError(res.error);
    });
    return () => {
      live = false;
    };
  }, [refresh]);

  const done = (res: { ok: true } | { ok: false; error: ApiError }): boolean => {
    setError(res.ok ? null : res.error);
    if (res.ok) setRefresh((n) => n + 1);
    return res.ok;
  };

  const save = async () => {
    const problem = savedNameProblem(name);
    if (problem) return setError(`The name ${problem}.`);
    if (!sql.trim()) return setError('The tab is empty: type a query first.');
    const res = await api.savedQueries.save({
      name,
      sql,
      target,
      params: declsFor(tab.decls, sqlParamNames(sql)),
      ...(chart ? { chart } : {}),
      overwrite: tab.savedName !== null && name.trim() === tab.savedName,
    });
    if (done(res) && res.ok) setTabParams(tabId, { ...tab, savedName: res.value.name });
  };

  const rename = async () => {
    if (!renaming) return;
    const res = await api.savedQueries.rename(renaming);
    if (!done(res) || !res.ok) return;
    relinkSaved(renaming.from, res.value.name);
    setRenaming(null);
  };

  const remove = async (q: SavedQuery) => {
    if (confirmDelete !== q.name) return setConfirmDelete(q.name);
    setConfirmDelete(null);
    if (done(await api.savedQueries.delete({ name: q.name }))) relinkSaved(q.name, null);
  };

  const folders = [...new Set(queries.map((q) => q.folder))];
  return (
    <aside className="history-panel saved-panel" data-testid="saved-panel" aria-label="Saved queries">
      <SidePanelHeader title="Saved" closeLabel="Close saved queries" onClose={onClose} />
      <form
        className="saved-save"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <input
          className="filter-input"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="folder/name"
          aria-label="Save as"
          title='Folders come before a "/": fleet/daily voltage'
          data-testid="saved-name"
        />
        <button type="submit" className="btn" data-testid="saved-save">
          {tab.savedName !== null && name.trim() === tab.savedName ? 'Save' : 'Save as'}
        </button>
      </form>
      {error && <ErrorBox variant="inline" showCode error={error} testId="saved-error" />}
      <ul className="history-list">
        {folders.map((folder) => (
          <li key={folder}>
            {folder && <div className="saved-folder">{folder}/</div>}
            <ul className="saved-items">
              {queries
                .filter((q) => q.folder === folder)
                .map((q) => (
                  <li key={q.name} className="saved-item" data-testid="saved-item">
                    {renaming?.from === q.name ? (
                      <form
                        onSubmit={(e) => {
                          e.preventDefault();
                          void rename();
                        }}
                      >
                        <input
                          className="filter-input"
                          value={renaming.to}
                          autoFocus
                          aria-label={`New name of ${q.name}`}
                          onChange={(e) => setRenaming({ from: q.name, to: e.target.value })}
                          onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                        />
                      </form>
                    ) : (
                      <button type="button" className="history-item" onClick={() => onOpen(q)} title={q.sql}>
                        <span className="saved-name">{savedLeaf(q.name)}</span>
                        <span className="history-meta">
                          {q.target === 'hot' ? 'PostgreSQL' : 'DuckDB'}
                          {q.params.length > 0 ? ` · ${q.params.map((p) => `$${p.name}: ${p.type}`).join(', ')}` : ''}
                        </span>
                      </button>
                    )}
                    <span className="saved-actions">
                      <button
                        type="button"
                        className="icon-btn"
                        title="Rename"
                        aria-label={`Rename ${q.name}`}
                        onClick={() => setRenaming({ from: q.name, to: q.name })}
                      >
                        ✎
                      </button>
                      <button
                        type="button"
                        className="icon-btn"
                        title={confirmDelete === q.name ? 'Click again to delete' : 'Delete'}
                        aria-label={confirmDelete === q.name ? `Really delete ${q.name}` : `Delete ${q.name}`}
                        onClick={() => void remove(q)}
                      >
                        {confirmDelete === q.name ? 'Delete?' : '✕'}
                      </button>
                    </span>
                  </li>
                ))}
            </ul>
          </li>
        ))}
        {queries.length === 0 && !error && <li className="tree-empty">No saved queries yet.</li>}
      </ul>
    </aside>
  );
}
