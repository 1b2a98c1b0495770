import { useMemo, useState } from 'react';
import { columnMeaning, describeColumn } from '../../../shared/domain/dictionary';
import type { CatalogObject, CatalogSchema } from '../../../shared/api/catalog';
import { insertIntoEditor } from '../../app/editorBridge';
import { formatBytes, formatCount } from '../../../shared/format';
import { BatteryDataSection } from './BatteryDataSection';
import { refreshCatalog, useCatalog } from './catalogStore';
import { refreshDataStatus, useDataStatus } from './dataStatusStore';
import { defaultDatabase, displayIdent, tableReference } from './identifiers';
import './schema.css';
import { ErrorBox } from '../../lib/ui/ErrorBox';

/**
 * "Battery data" (unified views with hot/cold freshness, Sync now) on top, then database › schema ›
 * table/view › columns with row counts and sizes; a click inserts the name into the editor.
 */
export function SchemaBrowser() {
  const { tree, loading, error } = useCatalog();
  const { status } = useDataStatus();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [expandedObjects, setExpandedObjects] = useState<ReadonlySet<string>>(() => new Set());
  const [filter, setFilter] = useState('');
  const defaultDb = defaultDatabase(tree);

  const byDatabase = useMemo(() => {
    const map = new Map<string, CatalogSchema[]>();
    const f = filter.trim().toLowerCase();
    for (const s of tree?.schemas ?? []) {
      const objects = f ? s.objects.filter((o) => o.name.toLowerCase().includes(f) || s.name.toLowerCase().includes(f)) : s.objects;
      if (f && objects.length === 0) continue;
      const list = map.get(s.database) ?? [];
      list.push({ ...s, objects });
      map.set(s.database, list);
    }
    return map;
  }, [tree, filter]);

  /** Sizes the catalog does not know: the cold views' Parquet bytes, from data.status (`schema.name` in the default database). */
  const lakeBytes = useMemo(() => {
    const map = new Map<string, number>();
    for (const d of status?.datasets ?? []) if (d.cold) map.set(`cold.${d.name}`, d.cold.bytes);
    return map;
  }, [status]);

  const toggle = (set: ReadonlySet<string>, key: string): Set<string> => {
    const next = new Set(set);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  };

  return (
    <div className="schema-browser" data-testid="schema-browser">
      <div className="panel-header">
        <span className="panel-title">Schema</span>
        <span className="spacer" />
        <button
          type="button"
          className="icon-btn"
          title="Reload the catalog and the data status"
          aria-label="Refresh schema"
          data-testid="schema-refresh"
          onClick={() => {
            void refreshCatalog();
            void refreshDataStatus();
          }}
          disabled={loading}
        >
          {loading ? '…' : '⟳'}
        </button>
      </div>
      <input
        className="filter-input"
        type="search"
        placeholder="Filter tables"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        aria-label="Filter tables"
      />
      {error && <ErrorBox variant="inline" showCode error={error} />}
      <div className="schema-scroll">
        <BatteryDataSection filter={filter.trim().toLowerCase()} />
        <div className="schema-section-title">Workspace catalog</div>
        <ul className="tree" role="tree" aria-label="Workspace catalog">
          {[...byDatabase.entries()].map(([db, schemas]) => {
            const dbKey = `d:${db}`;
            const dbOpen = !collapsed.has(dbKey);
            return (
              <li key={dbKey} role="treeitem" aria-expanded={dbOpen}>
                <div className="tree-row" onClick={() => setCollapsed((c) => toggle(c, dbKey))}>
                  <span className="chevron">{dbOpen ? '▾' : '▸'}</span>
                  <span className="node-icon db">DB</span>
                  <span className="node-name">{db}</span>
                </div>
                {dbOpen && (
                  <ul role="group">
                    {schemas.map((s) => {
                      const sKey = `s:${db}.${s.name}`;
                      const sOpen = !collapsed.has(sKey);
                      return (
                        <li key={sKey} role="treeitem" aria-expanded={sOpen}>
                          <div className="tree-row depth-1" onClick={() => setCollapsed((c) => toggle(c, sKey))}>
                            <span className="chevron">{sOpen ? '▾' : '▸'}</span>
                            <span className="node-icon schema">S</span>
                            <span className="node-name">{s.name}</span>
                            <span className="node-meta">{s.objects.length}</span>
                          </div>
                          {sOpen && (
                            <ul role="group">
                              {s.objects.map((o) => (
                                <ObjectNode
                                  key={o.name}
                                  object={o}
                                  open={expandedObjects.has(`${sKey}.${o.name}`)}
                                  onToggle={() => setExpandedObjects((x) => toggle(x, `${sKey}.${o.name}`))}
                                  reference={tableReference(db, s.name, o.name, defaultDb)}
                                  sizeBytes={o.sizeBytes ?? (db === defaultDb ? (lakeBytes.get(`${s.name}.${o.name}`) ?? null) : null)}
                                />
                              ))}
                              {s.objects.length === 0 && <li className="tree-empty depth-2">no tables</li>}
                            </ul>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
        {tree && byDatabase.size === 0 && (
          <div className="tree-empty">{filter ? 'Nothing matches the filter.' : 'The workspace has no tables yet.'}</div>
        )}
      </div>
    </div>
  );
}

interface ObjectNodeProps {
  object: CatalogObject;
  open: boolean;
  onToggle: () => void;
  /** What to insert into the editor for this table or view. */
  reference: string;
  /** Bytes on disk where known (the catalog's, or a cold view's Parquet files). */
  sizeBytes: number | null;
}

/** A column's hover text: its meaning from the data dictionary (plain text), then what a click does. */
function columnTitle(table: string, column: string): string {
  const meaning = columnMeaning(table, column);
  return meaning ? `${describeColumn(meaning)}\nClick to insert the column name` : 'Click to insert the column name';
}

function ObjectNode({ object, open, onToggle, reference, sizeBytes }: ObjectNodeProps) {
  const meta = [object.rowCount !== null ? formatCount(object.rowCount) : null, sizeBytes !== null ? formatBytes(sizeBytes) : null].filter(
    (m) => m !== null,
  );
  return (
    <li role="treeitem" aria-expanded={open}>
      <div className="tree-row depth-2" title={object.comment ?? `${object.kind} ${reference}: click to insert its name`}>
        <span className="chevron" onClick={onToggle} role="button" aria-label={open ? 'Collapse' : 'Expand'}>
          {open ? '▾' : '▸'}
        </span>
        <span className={`node-icon ${object.kind}`}>{object.kind === 'view' ? 'V' : 'T'}</span>
        <span className="node-name clickable" onClick={() => insertIntoEditor(reference)} data-testid="schema-object">
          {object.name}
        </span>
        {meta.length > 0 && (
          <span className="node-meta" title={object.rowCount !== null ? 'Estimated rows' : undefined}>
            {meta.join(' · ')}
          </span>
        )}
      </div>
      {open && (
        <ul role="group">
          {object.columns.map((c, i) => (
            <li
              key={`${i}:${c.name}`}
              role="treeitem"
              className="tree-row depth-3"
              onClick={() => insertIntoEditor(displayIdent(c.name))}
              title={columnTitle(object.name, c.name)}
              data-testid="schema-column"
            >
              <span className="node-name clickable">{c.name}</span>
              <span className="node-type">{c.type}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
