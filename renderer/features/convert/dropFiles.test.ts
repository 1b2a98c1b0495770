import { describe, expect, it } from 'vitest';
import { pathsFromDrop, type DropEnv } from './dropFiles';

const file = (name: string, content = 'a,b\n1,2\n', type = 'text/csv'): File => new File([content], name, { type });

describe('dropped files', () => {
  it('in the desktop app, every item keeps its real path (folders too)', async () => {
    const env: DropEnv = {
      pathForFile: (f) => (f.name === 'lost.csv' ? '' : `/real/${f.name}`),
      upload: () => Promise.reject(new Error('must not upload')),
    };
    const res = await pathsFromDrop([file('a.csv'), file('folder', '', ''), file('lost.csv')], env);
    expect(res.paths).toEqual(['/real/a.csv', '/real/folder']);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toContain('lost.csv');
  });

  it('in the browser, uploads CSV files in order and names what it skipped', async () => {
    const uploaded: string[] = [];
    const env: DropEnv = {
      pathForFile: null,
      upload: async (f) => {
        if (f.name === 'broken.csv') throw new Error('The upload of broken.csv failed: 500');
        uploaded.push(f.name);
        return `/uploads/${f.name}`;
      },
    };
    const res = await pathsFromDrop(
      [file('a.csv'), file('b.tsv.gz'), file('pic.png', 'x', 'image/png'), file('dir', '', ''), file('broken.csv')],
      env,
    );
    expect(uploaded).toEqual(['a.csv', 'b.tsv.gz']);
    expect(res.paths).toEqual(['/uploads/a.csv', '/uploads/b.tsv.gz']);
    expect(res.errors.join('\n')).toMatch(/pic\.png: not a CSV/);
    expect(res.errors.join('\n')).toMatch(/dir: folders cannot be dropped/);
    expect(res.errors.join('\n')).toMatch(/broken\.csv failed: 500/);
  });
});
