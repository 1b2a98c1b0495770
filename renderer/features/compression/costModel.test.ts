import { describe, expect, it } from 'vitest';
import type { StorageOverview } from '../../../shared/api/storage';
import { DEFAULT_PG_EXPANSION } from '../../../shared/cost';
import { costModel, measuredExpansion, parsePrice } from './costModel';
import { formatRatio, formatShare, formatUsd, ratioOf } from './units';

const GB = 1024 ** 3;

const overview = (hot: StorageOverview['hot']): StorageOverview => ({
  lakePath: '/lake',
  datasets: [{ dataset: 'telemetry', files: 10, rows: 1_000_000, parquetBytes: 0.5 * GB, sourceBytes: null, ratio: null, partitions: 10 }],
  cold: { bytes: 0.5 * GB, rows: 1_000_000, files: 10 },
  hot,
  hotError: null,
});

describe('storage cost model', () => {
  it('measures PostgreSQL bytes per Parquet byte from a dataset in both tiers', () => {
    // Hot: 200k rows in 1 GB = 5,368 B/row; cold: 537 B/row → 10×.
    const o = overview({
      bytes: 1.25 * GB,
      tables: [
        { table: 'telemetry', rows: 200_000, bytes: GB },
        { table: 'battery', rows: 2376, bytes: 0.25 * GB },
      ],
    });
    expect(measuredExpansion(o)).toBeCloseTo(10, 6);
    expect(measuredExpansion(overview(null))).toBeNull();
  });

  it('prices hot and cold, and the saving of a shorter hot window', () => {
    const o = overview({
      bytes: 1.25 * GB,
      tables: [
        { table: 'telemetry', rows: 200_000, bytes: GB },
        { table: 'battery', rows: 2376, bytes: 0.25 * GB },
      ],
    });
    const m = costModel(o, { hotPerGbMonth: 0.2, coldPerGbMonth: 0.02, hotWindowDays: 7, keepHotDays: 2 });
    expect(m.hotMonthly).toBeCloseTo(0.25, 9);
    expect(m.coldMonthly).toBeCloseTo(0.01, 9);
    expect(m.timeseriesHotBytes).toBe(GB);
    expect(m.archivableHotBytes).toBeCloseTo((GB * 5) / 7, 3);
    // Moving 5/7 GB out of PostgreSQL saves 0.2 × 5/7 and costs 0.02 × (5/7)/10 in the lake.
    expect(m.archivalSavingMonthly).toBeCloseTo(0.2 * (5 / 7) - 0.02 * (5 / 7 / 10), 9);
    expect(m.expansionMeasured).toBe(true);
    // Keeping the window as is saves nothing; a keep longer than the window is clamped.
    expect(costModel(o, { hotPerGbMonth: 0.2, coldPerGbMonth: 0.02, hotWindowDays: 7, keepHotDays: 30 }).archivalSavingMonthly).toBe(0);
  });

  it("takes each table's hot window from its lifecycle policy over the one typed", () => {
    const o = overview({
      bytes: 2 * GB,
      tables: [
        { table: 'telemetry', rows: 200_000, bytes: GB },
        { table: 'string_telemetry', rows: 20_000, bytes: 0.5 * GB },
        { table: 'battery', rows: 2376, bytes: 0.5 * GB },
      ],
    });
    const settings = { hotPerGbMonth: 0.2, coldPerGbMonth: 0.02, hotWindowDays: 7, keepHotDays: 7 };
    expect(costModel(o, settings).archivableHotBytes).toBe(0);
    // telemetry keeps 3 of its 7 days by its policy; string_telemetry keeps the 7 typed.
    expect(costModel(o, { ...settings, keepHotDaysOf: { telemetry: 3 } }).archivableHotBytes).toBeCloseTo((GB * 4) / 7, 3);
    expect(costModel(o, { ...settings, keepHotDays: 0, keepHotDaysOf: { telemetry: 3 } }).archivableHotBytes).toBeCloseTo(
      (GB * 4) / 7 + 0.5 * GB,
      3,
    );
  });

  it('falls back to the default expansion without a hot store', () => {
    const m = costModel(overview(null), { hotPerGbMonth: 0.2, coldPerGbMonth: 0.02, hotWindowDays: 7, keepHotDays: 1 });
    expect(m.pgExpansion).toBe(DEFAULT_PG_EXPANSION);
    expect(m.expansionMeasured).toBe(false);
    expect(m.hotMonthly).toBe(0);
    expect(m.allHotMonthly).toBeCloseTo(0.5 * DEFAULT_PG_EXPANSION * 0.2, 9);
  });

  it('parses prices strictly', () => {
    expect(parsePrice('0.20')).toBe(0.2);
    expect(parsePrice(' 0,02 ')).toBe(0.02);
    expect(parsePrice('.5')).toBe(0.5);
    expect(parsePrice('-1')).toBeNull();
    expect(parsePrice('1e3')).toBeNull();
    expect(parsePrice('')).toBeNull();
  });

  it('formats ratios, shares and money', () => {
    expect(formatRatio(7.25)).toBe('7.3×');
    expect(formatRatio(null)).toBe('–');
    expect(formatRatio(0)).toBe('–');
    expect(formatShare(0.1234)).toBe('12.3%');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(-3)).toBe('-$3.00');
    expect(ratioOf(10, 0)).toBeNull();
    expect(ratioOf(10, 4)).toBe(2.5);
  });
});
