import { describe, expect, it } from 'vitest';
import { isChannelName } from './define';

describe('isChannelName (the preload, the desktop IPC handler and the web host use this one check)', () => {
  it('accepts service.method and nothing else', () => {
    expect(isChannelName('query.run')).toBe(true);
    expect(isChannelName('workspace.info')).toBe(true);
    for (const bad of ['query', 'query.run.x', '__proto__.x', 'query.', '.run', 'a b.c', 42, null, {}])
      expect(isChannelName(bad)).toBe(false);
  });

  it('refuses a name longer than 200 characters', () => {
    expect(isChannelName(`a.${'b'.repeat(198)}`)).toBe(true);
    expect(isChannelName(`a.${'b'.repeat(199)}`)).toBe(false);
  });
});
