import { ChartSettings } from '../../../shared/api/chart';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';

export const RESULT_VIEWS = ['grid', 'chart', 'pivot', 'plan'] as const;
export type ResultView = (typeof RESULT_VIEWS)[number];

export interface EditorTab {
  id: string;
  title: string;
  sql: string;
  /** What the results pane shows: the grid (default), a chart or a pivot of the result, or the plan of an Explain. */
  view?: ResultView;
  /** The tab's chart settings (plain data: they travel with the tab). */
  chart?: ChartSettings;
}

export interface TabsState {
  tabs: EditorTab[];
  activeId: string;
}

const KEY = 'bw.sql.tabs.v1';
const WELCOME = `-- Ctrl/Cmd+Enter runs the statement at the cursor, Ctrl/Cmd+Shift+Enter runs all, Esc cancels.
SELECT 42 AS answer, current_timestamp AS now;
`;

function newId(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** Parse what localStorage holds; anything malformed falls back to one fresh tab. */
export function parseTabs(raw: string | null): TabsState {
  const fresh = (): TabsState => {
    const id = newId();
    return { tabs: [{ id, title: 'Query 1', sql: WELCOME }], activeId: id };
  };
  if (!raw) return fresh();
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return fresh();
    const o = v as { tabs?: unknown; activeId?: unknown };
    if (!Array.isArray(o.tabs)) return fresh();
    const tabs: EditorTab[] = [];
    for (const t of o.tabs as unknown[]) {
      if (typeof t !== 'object' || t === null) continue;
      const x = t as Record<string, unknown>;
      if (typeof x.id === 'string' && typeof x.title === 'string' && typeof x.sql === 'string') {
        const chart = ChartSettings.safeParse(x.chart);
        tabs.push({
          id: x.id,
          title: x.title,
          sql: x.sql,
          // The plan is of a statement explained in the page before: a reload starts from the grid.
          ...(x.view === 'chart' || x.view === 'pivot' ? { view: x.view } : {}),
          ...(chart.success ? { chart: chart.data } : {}),
        });
      }
    }
    if (tabs.length === 0) return fresh();
    const activeId = typeof o.activeId === 'string' && tabs.some((t) => t.id === o.activeId) ? o.activeId : tabs[0].id;
    return { tabs, activeId };
  } catch {
    return fresh();
  }
}

const store = createStore<TabsState>(() => parseTabs(safeRead()));
let saveTimer: ReturnType<typeof setTimeout> | null = null;
const current = store.get;

function safeRead(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function save(): void {
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    try {
      localStorage.setItem(KEY, JSON.stringify(current()));
    } catch {
      // Storage full or disabled: the tabs live for this session only.
    }
  }, 300);
}

function update(next: TabsState): void {
  store.set(next);
  save();
}

export function addTab(sql = ''): string {
  const s = current();
  const used = new Set(s.tabs.map((t) => t.title));
  let n = s.tabs.length + 1;
  while (used.has(`Query ${n}`)) n++;
  const id = newId();
  update({ tabs: [...s.tabs, { id, title: `Query ${n}`, sql }], activeId: id });
  return id;
}

/** Close a tab; the last tab is replaced by an empty one. Returns the closed id. */
export function closeTab(id: string): void {
  const s = current();
  const i = s.tabs.findIndex((t) => t.id === id);
  if (i < 0) return;
  const tabs = s.tabs.filter((t) => t.id !== id);
  if (tabs.length === 0) {
    const nid = newId();
    update({ tabs: [{ id: nid, title: 'Query 1', sql: '' }], activeId: nid });
    return;
  }
  const activeId = s.activeId === id ? tabs[Math.min(i, tabs.length - 1)].id : s.activeId;
  update({ tabs, activeId });
}

export function renameTab(id: string, title: string): void {
  const t = title.trim().slice(0, 80);
  if (!t) return;
  const s = current();
  update({ ...s, tabs: s.tabs.map((x) => (x.id === id ? { ...x, title: t } : x)) });
}

export function setTabSql(id: string, sql: string): void {
  const s = current();
  update({ ...s, tabs: s.tabs.map((x) => (x.id === id ? { ...x, sql } : x)) });
}

/** Changes one tab's fields (its results view, its chart settings). */
export function patchTab(id: string, patch: Pick<EditorTab, 'view'> | Pick<EditorTab, 'chart'>): void {
  const s = current();
  update({ ...s, tabs: s.tabs.map((x) => (x.id === id ? { ...x, ...patch } : x)) });
}

export function activateTab(id: string): void {
  const s = current();
  if (s.activeId !== id && s.tabs.some((t) => t.id === id)) update({ ...s, activeId: id });
}

export function useTabs(): TabsState {
  return useStore(store);
}
