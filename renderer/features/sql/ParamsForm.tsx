import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import { PARAM_TYPES, type ParamDecl, type ParamType } from '../../../shared/api/params';
import { sqlParamNames } from '../../../shared/sql-lex';
import { ErrorBox } from '../../lib/ui/ErrorBox';
import { setParamType, setParamValue, useTabParams } from './paramsStore';

interface Props {
  tabId: string;
  sql: string;
}

const PLACEHOLDER: Record<ParamType, string> = {
  text: 'text',
  integer: 'whole number',
  number: 'number',
  date: 'YYYY-MM-DD',
  timestamp: 'YYYY-MM-DD HH:MM[:SS]',
  choice: '',
};

/** The values of the SQL's named parameters ($site), each with its type; shown above the editor when the SQL has any. */
export function ParamsForm({ tabId, sql }: Props) {
  const names = useMemo(() => sqlParamNames(sql), [sql]);
  const params = useTabParams(tabId);
  if (names.length === 0) return null;
  return (
    <div className="params-form" data-testid="params-form" role="group" aria-label="Query parameters">
      {names.map((name) => (
        <ParamField
          key={name}
          tabId={tabId}
          name={name}
          decl={params.decls.find((d) => d.name === name) ?? null}
          value={params.values[name] ?? ''}
        />
      ))}
    </div>
  );
}

interface FieldProps {
  tabId: string;
  name: string;
  decl: ParamDecl | null;
  value: string;
}

function ParamField({ tabId, name, decl, value }: FieldProps) {
  const type = decl?.type ?? 'text';
  return (
    <div className="param-field" data-testid="param-field">
      <label className="param-name" htmlFor={`param-${tabId}-${name}`}>
        ${name}
      </label>
      <select
        value={type}
        aria-label={`Type of $${name}`}
        onChange={(e) => setParamType(tabId, name, e.target.value as ParamType, decl?.choicesSql ?? '')}
      >
        {PARAM_TYPES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      {type === 'choice' ? (
        <ChoiceField tabId={tabId} name={name} choicesSql={decl?.choicesSql ?? ''} value={value} />
      ) : (
        <input
          id={`param-${tabId}-${name}`}
          className="param-value"
          value={value}
          placeholder={PLACEHOLDER[type]}
          aria-label={`Value of $${name}`}
          onChange={(e) => setParamValue(tabId, name, e.target.value)}
        />
      )}
    </div>
  );
}

interface ChoiceProps {
  tabId: string;
  name: string;
  choicesSql: string;
  value: string;
}

/** A choice list: its query (run in the workspace, first column) and a pick among its values. */
function ChoiceField({ tabId, name, choicesSql, value }: ChoiceProps) {
  // The values (or the error) of the query they came from: an edited query shows none until its own arrive.
  const [loaded, setLoaded] = useState<{ sql: string; values: string[]; error: string | null }>({ sql: '', values: [], error: null });
  useEffect(() => {
    if (!choicesSql.trim()) return;
    let live = true;
    const t = setTimeout(() => {
      void api.savedQueries.choices({ sql: choicesSql }).then((res) => {
        if (live) setLoaded({ sql: choicesSql, values: res.ok ? res.value.values : [], error: res.ok ? null : res.error.message });
      });
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [choicesSql]);
  const current = loaded.sql === choicesSql;
  const choices = current ? loaded.values : [];
  const error = current ? loaded.error : null;
  const options = value && !choices.includes(value) ? [value, ...choices] : choices;
  return (
    <>
      <input
        className="param-choices-sql"
        value={choicesSql}
        placeholder="SELECT DISTINCT site FROM ..."
        aria-label={`Choices query of $${name}`}
        onChange={(e) => setParamType(tabId, name, 'choice', e.target.value)}
      />
      <select
        id={`param-${tabId}-${name}`}
        value={value}
        aria-label={`Value of $${name}`}
        onChange={(e) => setParamValue(tabId, name, e.target.value)}
      >
        <option value="">(choose)</option>
        {options.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
      {error && <ErrorBox variant="inline" error={error} prefix="Choices: " />}
    </>
  );
}
