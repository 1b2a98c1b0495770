import { describe, expect, it } from 'vitest';
import { downloadPath, splitTokenFragment, tokenLink } from './web-auth';

describe('the token in the link fragment', () => {
  it('the printed link carries the token in the fragment only', () => {
    const link = new URL(tokenLink('http://127.0.0.1:4321', 'abc_-9'));
    expect(link.search).toBe('');
    expect(link.pathname).toBe('/');
    expect(link.hash).toBe('#token=abc_-9');
  });

  it('takes the token and leaves the route: none (default view) or an appended #/route', () => {
    expect(splitTokenFragment('#token=abc_-9')).toEqual({ token: 'abc_-9', hash: '' });
    expect(splitTokenFragment('#token=abc#/settings')).toEqual({ token: 'abc', hash: '#/settings' });
    expect(splitTokenFragment('#token=abc#/battery/12')).toEqual({ token: 'abc', hash: '#/battery/12' });
    expect(splitTokenFragment('#token=abc&x=1')).toEqual({ token: 'abc', hash: '' });
    expect(splitTokenFragment('#token=a%2Db')).toEqual({ token: 'a-b', hash: '' });
  });

  it('leaves a hash without a token alone, and an empty or broken token is no token', () => {
    expect(splitTokenFragment('#/settings')).toEqual({ token: null, hash: '#/settings' });
    expect(splitTokenFragment('')).toEqual({ token: null, hash: '' });
    expect(splitTokenFragment('#/sql?token=abc')).toEqual({ token: null, hash: '#/sql?token=abc' });
    expect(splitTokenFragment('#token=')).toEqual({ token: null, hash: '' });
    expect(splitTokenFragment('#token=%E0%A4%A#/sql')).toEqual({ token: null, hash: '#/sql' });
  });

  it('download paths encode each part of the id', () => {
    expect(downloadPath('slice 1/manifest.json')).toBe('/download/slice%201/manifest.json');
    expect(downloadPath('a?b#c.csv')).toBe('/download/a%3Fb%23c.csv');
  });
});
