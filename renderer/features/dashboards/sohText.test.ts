import { describe, expect, it } from 'vitest';
import { computedRulShort, computedRulText, dayText, eolText, sohText, tableRulText } from './sohText';

describe('SoH panel texts', () => {
  it('says the computed RUL with its range, or why there is none', () => {
    expect(computedRulText({ rul_status: 'ok', rul_days: 30, rul_low_days: 25, rul_high_days: 37.5, horizon_days: 80 })).toBe(
      '30 days (25–38 days)',
    );
    expect(computedRulText({ rul_status: 'ok', rul_days: 30, rul_low_days: 18.8, rul_high_days: null, horizon_days: 80 })).toBe(
      '30 days (at least 19 days; the latest end lies beyond the 80 days horizon)',
    );
    expect(computedRulText({ rul_status: 'reached', rul_days: 0 })).toBe('end of life reached');
    expect(computedRulText({ rul_status: 'not_enough_history', horizon_days: 18 })).toBe(
      'not enough history to extrapolate (at most 18 days ahead, twice the history)',
    );
    expect(computedRulText({ rul_status: 'not_enough_history', horizon_days: 0 })).toBe('not enough history to extrapolate');
    expect(computedRulText({ rul_status: 'no_data' })).toBe('no daily readings in this range');
    expect(computedRulText({ rul_status: '<b>x</b>' })).toBe('—');
    expect(computedRulShort({ rul_status: 'ok', rul_days: 4.5, rul_low_days: 3.2, rul_high_days: null })).toBe('4.5 days (3.2–?)');
    expect(computedRulShort({ rul_status: 'not_enough_history' })).toBe('not enough history');
  });

  it('labels SoH by its source, the table figure, the day and the end of life', () => {
    expect(sohText({ soh_pct: 91.24, soh_source: 'resistance' })).toBe('91.2 % (resistance drift)');
    expect(sohText({ soh_pct: 67.5, soh_source: 'capacity_test' })).toBe('67.5 % (capacity test)');
    expect(sohText({ soh_pct: null })).toBe('—');
    expect(tableRulText({ table_rul_days: 42, table_predicted_at: 1 })).toBe('42 days');
    expect(tableRulText({ table_rul_days: null, table_predicted_at: null })).toBe('no prediction');
    expect(dayText(Date.UTC(2024, 0, 21))).toBe('2024-01-21');
    expect(dayText(null)).toBe('—');
    expect(eolText({ eol_drift_pct: 50, rul_threshold: 'resistance' })).toBe('+50 % resistance (80 % SoH)');
    expect(eolText({ eol_drift_pct: 25, rul_threshold: 'soh' })).toBe('90 % SoH (+25 % resistance)');
  });
});
