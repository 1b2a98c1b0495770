import type { AlertRule } from '../../../shared/api/alerts';
import { qualifiedName, quoteIdent } from '../../../shared/sql';
import { GAP_TOLERANCE_MINUTES } from './alert-rules';

type RuleShape = Pick<AlertRule, 'key' | 'sql' | 'op' | 'threshold' | 'forMinutes'>;

/** A number as a SQL literal (finite only: thresholds are checked where they enter). */
function num(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

/**
 * The episodes of a rule's condition over [$1, $2) (ISO instants): per key, runs of breaching readings with no gap
 * longer than the tolerance, kept when the run spans at least the rule's duration. Columns: k, jar, string_id, start,
 * fired_at, end_ts (the first reading past the run; NULL while it still holds at the range's end), peak, readings.
 * The rule's own SELECT is wrapped as a subquery, so the range filter reaches its scans.
 */
export function episodesSql(rule: RuleShape): string {
  const body = rule.sql.trim().replace(/;+\s*$/, '');
  const keyCol = quoteIdent(rule.key === 'battery' ? 'battery_id' : 'string_id');
  const hit = `value ${rule.op === 'below' ? '<' : '>'} ${num(rule.threshold)}`;
  const tol = `INTERVAL '${GAP_TOLERANCE_MINUTES} minutes'`;
  const forI = `INTERVAL '${Math.trunc(rule.forMinutes)} minutes'`;
  const worst = rule.op === 'below' ? 'min' : 'max';
  const stringOf =
    rule.key === 'battery' ? `(SELECT b.string_id FROM ${qualifiedName('main', 'battery')} b WHERE b.battery_id = e.jar)` : 'e.k';
  return `WITH src AS (
  SELECT CAST(u.${keyCol} AS INTEGER) AS k, CAST(u.${quoteIdent('battery_id')} AS INTEGER) AS jar,
    CAST(u.${quoteIdent('ts')} AS TIMESTAMPTZ) AS ts, CAST(u.${quoteIdent('value')} AS DOUBLE) AS value
  FROM (${body}) AS u
  WHERE u.${quoteIdent('ts')} >= CAST($1 AS TIMESTAMPTZ) AND u.${quoteIdent('ts')} < CAST($2 AS TIMESTAMPTZ) AND u.${quoteIdent('value')} IS NOT NULL
), m AS (
  SELECT *, ${hit} AS hit, lag(${hit}) OVER w AS prev_hit, lag(ts) OVER w AS prev_ts, lead(ts) OVER w AS next_ts
  FROM src WINDOW w AS (PARTITION BY k ORDER BY ts)
), g AS (
  SELECT *, sum(CASE WHEN hit AND prev_hit AND ts - prev_ts <= ${tol} THEN 0 ELSE 1 END)
    OVER (PARTITION BY k ORDER BY ts ROWS UNBOUNDED PRECEDING) AS grp
  FROM m
), e AS (
  SELECT k, grp, min(ts) AS start, max(ts) AS last, arg_max_null(next_ts, ts) AS end_ts, ${worst}(value) AS peak,
    arg_${worst}(jar, value) AS jar, count(*) AS readings
  FROM g WHERE hit GROUP BY k, grp
)
SELECT e.k, e.jar, ${stringOf} AS string_id, e.start, e.start + ${forI} AS fired_at, e.end_ts, e.peak, e.readings
FROM e WHERE e.last - e.start >= ${forI}
ORDER BY e.start, e.k`;
}
