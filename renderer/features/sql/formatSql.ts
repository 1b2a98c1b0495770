import { format } from 'sql-formatter';
import { errorMessage } from '../../../shared/api/errors';

/**
 * SQL laid out for reading: DuckDB's dialect, keywords upper case, two-space indent. Strings, quoted names,
 * comments and `$name` parameters are kept as written. Throws with the formatter's reason when it cannot parse.
 */
export function formatSql(text: string): string {
  try {
    return format(text, { language: 'duckdb', keywordCase: 'upper', tabWidth: 2, paramTypes: { named: ['$'] } });
  } catch (err) {
    const reason = errorMessage(err).split('\n')[0];
    throw new Error(`Cannot format this SQL: ${reason}`, { cause: err });
  }
}
