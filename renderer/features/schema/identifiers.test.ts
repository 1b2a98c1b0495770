import { describe, expect, it } from 'vitest';
import { defaultDatabase, displayIdent, tableReference } from './identifiers';

describe('identifiers for insertion', () => {
  it('quotes only when needed', () => {
    expect(displayIdent('telemetry')).toBe('telemetry');
    expect(displayIdent('Voltage')).toBe('"Voltage"');
    expect(displayIdent('order')).toBe('"order"');
    expect(displayIdent('a "b"')).toBe('"a ""b"""');
  });

  it('shortens references from the default database', () => {
    const tree = {
      schemas: [
        { database: 'workspace', name: 'hot', objects: [] },
        { database: 'workspace', name: 'main', objects: [] },
        { database: 'other', name: 'main', objects: [] },
      ],
    };
    const db = defaultDatabase(tree);
    expect(db).toBe('workspace');
    expect(tableReference('workspace', 'main', 'telemetry', db)).toBe('telemetry');
    expect(tableReference('workspace', 'hot', 'battery', db)).toBe('hot.battery');
    expect(tableReference('other', 'main', 'My Table', db)).toBe('other.main."My Table"');
    expect(defaultDatabase({ schemas: [] })).toBeNull();
  });
});
