import type { ParamDecl, ParamType, ParamValues } from '../../../shared/api/params';
import { sqlParamNames } from '../../../shared/sql-lex';
import { createStore } from '../../lib/state/createStore';
import { useStore } from '../../lib/state/useStore';

/** A tab's parameters: the saved query it was opened from (or saved as), the declared types and the values typed in. */
export interface TabParams {
  savedName: string | null;
  decls: ParamDecl[];
  values: Record<string, string>;
}

type ParamsState = Readonly<Record<string, TabParams>>;

const KEY = 'bw.sql.params.v1';
const EMPTY: TabParams = { savedName: null, decls: [], values: {} };

function read(): ParamsState {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ParamsState) : {};
  } catch {
    return {};
  }
}

const store = createStore<ParamsState>(read);

function update(tabId: string, change: (p: TabParams) => TabParams): void {
  store.set((s) => ({ ...s, [tabId]: change(s[tabId] ?? EMPTY) }));
  try {
    localStorage.setItem(KEY, JSON.stringify(store.get()));
  } catch {
    // Not persisted: the parameters live for this session only.
  }
}

export function tabParams(tabId: string): TabParams {
  return store.get()[tabId] ?? EMPTY;
}

export function useTabParams(tabId: string): TabParams {
  return useStore(store)[tabId] ?? EMPTY;
}

export function setTabParams(tabId: string, params: TabParams): void {
  update(tabId, () => params);
}

export function setParamValue(tabId: string, name: string, value: string): void {
  update(tabId, (p) => ({ ...p, values: { ...p.values, [name]: value } }));
}

/** Declares `$name`'s type (text is the default, so it is not kept); a choice list keeps its SQL. */
export function setParamType(tabId: string, name: string, type: ParamType, choicesSql = ''): void {
  update(tabId, (p) => {
    const others = p.decls.filter((d) => d.name !== name);
    if (type === 'text') return { ...p, decls: others };
    return { ...p, decls: [...others, type === 'choice' ? { name, type, choicesSql } : { name, type }] };
  });
}

/** Tabs linked to a saved query that was renamed (or deleted: `to` null) follow it. */
export function relinkSaved(from: string, to: string | null): void {
  for (const [tabId, p] of Object.entries(store.get())) if (p.savedName === from) update(tabId, () => ({ ...p, savedName: to }));
}

export function forgetTabParams(tabId: string): void {
  store.set((s) => Object.fromEntries(Object.entries(s).filter(([id]) => id !== tabId)));
}

/** What a run of `sql` in the tab binds: the values of the parameters it uses (an empty field is no value) and their types. */
export function runParams(tabId: string, sql: string): { params?: ParamValues; paramTypes?: ParamDecl[] } {
  const names = sqlParamNames(sql);
  if (names.length === 0) return {};
  const p = tabParams(tabId);
  const params: ParamValues = {};
  for (const name of names) if ((p.values[name] ?? '') !== '') params[name] = p.values[name];
  return { params, paramTypes: declsFor(p.decls, names) };
}

/** The declarations of the parameters `names` (choice lists with no SQL yet left out: they cannot be checked). */
export function declsFor(decls: readonly ParamDecl[], names: readonly string[]): ParamDecl[] {
  return decls.filter((d) => names.includes(d.name) && (d.type !== 'choice' || (d.choicesSql ?? '').trim() !== ''));
}
