import { describe, expect, it } from 'vitest';
import { parseTabs } from './tabsStore';

describe('editor tabs in storage', () => {
  it('keep their results view and chart settings; drop malformed chart settings, keeping the tab', () => {
    const chart = { type: 'line', x: 'ts', y: ['v'], series: null, aggregate: 'sum', bins: 50 };
    const parsed = parseTabs(
      JSON.stringify({
        tabs: [
          { id: 'a', title: 'Q1', sql: 'SELECT 1', view: 'chart', chart },
          { id: 'b', title: 'Q2', sql: 'SELECT 2', view: 'pie', chart: { type: 'pie', x: 1 } },
        ],
        activeId: 'a',
      }),
    );
    // Settings stored before the second y axis existed read with it on.
    expect(parsed.tabs[0]).toEqual({ id: 'a', title: 'Q1', sql: 'SELECT 1', view: 'chart', chart: { ...chart, splitAxes: true } });
    expect(parsed.tabs[1]).toEqual({ id: 'b', title: 'Q2', sql: 'SELECT 2' });
  });
});
