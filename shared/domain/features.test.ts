import { describe, expect, it } from 'vitest';
import {
  BUILTIN_FEATURE_SETS,
  JAR_DAILY_STATS,
  STRING_DAILY_SPREAD,
  checkDefinition,
  definitionText,
  featureColumns,
  featureLineage,
  parseFeatureRef,
  type FeatureSetDefinition,
} from './features';

describe('feature set definitions', () => {
  it('the built-in sets are sound, with units from the data dictionary', () => {
    for (const def of BUILTIN_FEATURE_SETS) expect(checkDefinition(def), def.name).toEqual([]);
    const cols = new Map(featureColumns(JAR_DAILY_STATS).map((c) => [c.name, c]));
    expect(cols.get('voltage_max')).toMatchObject({ unit: 'V', quantity: 'voltage' });
    expect(cols.get('temperature_mean')).toMatchObject({ unit: 'degC', quantity: 'temperature' });
    expect(cols.get('resistance_slope_7d')).toMatchObject({ unit: 'mOhm/day', quantity: 'resistance' });
    expect([...cols.keys()].slice(0, 3)).toEqual(['battery_id', 'day', 'event_time']);
  });

  it('a version is its normalized SQL and columns: layout and comments do not count, a changed SQL or column does', () => {
    const text = definitionText(JAR_DAILY_STATS);
    expect(definitionText({ ...JAR_DAILY_STATS, sql: `\n  ${JAR_DAILY_STATS.sql.replaceAll('\n', '\n\n   ')}  -- note\n` })).toBe(text);
    expect(definitionText({ ...JAR_DAILY_STATS, description: 'other words', owner: 'someone' })).toBe(text);
    expect(definitionText({ ...JAR_DAILY_STATS, sql: JAR_DAILY_STATS.sql.replace('> 30', '> 31') })).not.toBe(text);
    expect(definitionText({ ...JAR_DAILY_STATS, lagMinutes: 5 })).not.toBe(text);
    expect(definitionText({ ...JAR_DAILY_STATS, columns: JAR_DAILY_STATS.columns.slice(1) })).not.toBe(text);
  });

  it('says what is wrong with a definition', () => {
    const bad: FeatureSetDefinition = {
      ...JAR_DAILY_STATS,
      name: 'Bad Name',
      lookbackDays: -1,
      sql: 'SELECT 1',
      columns: [JAR_DAILY_STATS.columns[0], JAR_DAILY_STATS.columns[0], { ...JAR_DAILY_STATS.columns[1], name: 'day' }],
    };
    const problems = checkDefinition(bad);
    expect(problems).toEqual([
      expect.stringMatching(/^name "Bad Name"/),
      'lookbackDays: 0 to 366',
      'columns: "voltage_min" is declared twice (or is a key column)',
      'columns: "day" is declared twice (or is a key column)',
      'sql: must use $window_start and $window_end',
    ]);
  });

  it('parses <set>@v<N> references', () => {
    expect(parseFeatureRef('jar_daily_stats@v2')).toEqual({ name: 'jar_daily_stats', version: 2 });
    for (const bad of ['jar_daily_stats', 'jar_daily_stats@2', 'jar_daily_stats@v0', 'Jar@v1', 'a@v1; DROP', '@v1'])
      expect(parseFeatureRef(bad), bad).toBeNull();
  });
});

describe('featureLineage', () => {
  it('names the declared inputs and the master data the SQL joins', () => {
    expect(featureLineage(JAR_DAILY_STATS)).toEqual(['telemetry']);
    expect(featureLineage(STRING_DAILY_SPREAD)).toEqual(['telemetry', 'battery']);
  });
});
