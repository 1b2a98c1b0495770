import { describe, expect, it } from 'vitest';
import { escapeHtml, formatterParam, tooltipHtml } from './escape';

describe('chart text escaping', () => {
  it('turns markup from data into inert text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const html = tooltipHtml(hostile, [['<b>col</b>', '"1" & \'2\'']]);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>col');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;col&lt;/b&gt;: &quot;1&quot; &amp; &#39;2&#39;');
    // Only our own markup remains.
    expect(html.replace(/<\/?b>|<br\/>/g, '')).not.toMatch(/[<>]/);
    expect(escapeHtml('a<b')).toBe('a&lt;b');
  });

  it('reads formatter params defensively', () => {
    expect(formatterParam([{ name: 'x', seriesName: 's', value: 3, dataIndex: 1 }])).toEqual({
      name: 'x',
      seriesName: 's',
      value: 3,
      dataIndex: 1,
    });
    expect(formatterParam(undefined)).toEqual({ name: '', seriesName: '', value: undefined, dataIndex: -1 });
  });
});
