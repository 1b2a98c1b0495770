import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import type { ApiError } from '../../../shared/api/errors';
import type { QueryTarget } from '../../../shared/api/query';
import { savedLeaf, type SavedQuery } from '../../../shared/api/saved-queries';
import { hrefFor, useRoute } from '../../app/router';
import { setTabParams } from './paramsStore';
import { parseSavedLink } from './savedLink';
import { addTab, patchTab, renameTab } from './tabsStore';

/** Opens a saved query in a new tab, linked to it (Save writes over it), with `values` in its parameter form. */
export function openSavedInTab(query: SavedQuery, values: Readonly<Record<string, string>> = {}): QueryTarget {
  const id = addTab(query.sql);
  renameTab(id, savedLeaf(query.name));
  // The chart settings travel with the query: its tab opens on them (the chart shows once the query has run).
  if (query.chart) patchTab(id, { chart: query.chart, view: 'chart' });
  setTabParams(id, { savedName: query.name, decls: query.params, values: { ...values } });
  return query.target;
}

/**
 * Follows a deep link `#/sql/saved/<name>?site=FRA1`: opens the saved query in a new tab with the link's values filled
 * in (values to bind, never SQL), then leaves `#/sql` so a reload does not open it again. Returns why it could not.
 */
export function useSavedLink(onOpened: (target: QueryTarget) => void): ApiError | null {
  const route = useRoute();
  const rest = route.view === 'sql' ? route.rest : '';
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const link = parseSavedLink(rest);
    if (!link) return;
    let live = true;
    void api.savedQueries.get({ name: link.name }).then((res) => {
      if (!live) return;
      setError(res.ok ? null : res.error);
      if (res.ok) onOpened(openSavedInTab(res.value, link.values));
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${hrefFor('sql')}`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
    return () => {
      live = false;
    };
  }, [rest, onOpened]);
  return error;
}
