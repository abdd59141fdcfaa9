// Sync writes only into the synced layer; the app's views are never a sync target.
import { DEFAULT_REPLICA_SCHEMAS, syncedTables, users } from '@hearth/schema';
import { describe, expect, it } from 'vitest';
import { RECEIPTS_SHAPE, shapeTargets, SYNC_OPTIONS } from './targets';

describe('sync targets', () => {
  it('[OB2] every synced table has a sync target in the synced schema, never a view', () => {
    const targets = shapeTargets();
    expect([...targets.keys()].sort()).toEqual(syncedTables.map((table) => table.name).sort());
    for (const [name, target] of targets) {
      expect(target.schema).toBe(DEFAULT_REPLICA_SCHEMAS.synced);
      expect(target.table).not.toBe(name);
    }
    expect(targets.get(users.name)).toEqual({ schema: 'synced', table: 'users_synced', primaryKey: ['id'] });
  });

  it('[OB3] sync progress lives where a schema reset clears it, and receipts are synced', () => {
    expect(SYNC_OPTIONS.metadataSchema).toBe('hearth_sync');
    expect(shapeTargets().has(RECEIPTS_SHAPE)).toBe(true);
  });
});
