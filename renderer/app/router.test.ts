import { describe, expect, it } from 'vitest';
import { hrefFor, listViews, parseHash, registerView } from './router';

const Dummy = () => null;

describe('router', () => {
  it('parses view and rest, defaulting to sql', () => {
    const known = (id: string) => id === 'sql' || id === 'fleet';
    expect(parseHash('#/sql', known)).toEqual({ view: 'sql', rest: '' });
    expect(parseHash('#/fleet/site-3', known)).toEqual({ view: 'fleet', rest: 'site-3' });
    expect(parseHash('', known)).toEqual({ view: 'sql', rest: '' });
    expect(parseHash('#/nope', known)).toEqual({ view: 'sql', rest: '' });
    expect(parseHash('#/<script>', known)).toEqual({ view: 'sql', rest: '' });
    expect(hrefFor('fleet', 'a')).toBe('#/fleet/a');
  });

  it('lists registered views in order and rejects bad ids', () => {
    registerView({ id: 'zeta', title: 'Zeta', order: 50, component: Dummy });
    registerView({ id: 'alpha', title: 'Alpha', order: 5, component: Dummy });
    expect(listViews().map((v) => v.id)).toEqual(['alpha', 'zeta']);
    expect(parseHash('#/zeta')).toEqual({ view: 'zeta', rest: '' });
    expect(() => registerView({ id: 'Bad Id', title: 'x', order: 1, component: Dummy })).toThrow(/lower-case/);
  });
});
