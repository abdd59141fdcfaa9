// The replica schema is derived, never hand-copied; these rules hold whatever tables are added.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  allTables,
  localSchemaSql,
  localSchemaVersion,
  media,
  syncedColumnNames,
  type MediaRow,
  type SyncedRow,
  type UserRow,
} from '../src';

describe('replica DDL', () => {
  it('[SC7] no server-only table reaches the replica schema', () => {
    const ddl = localSchemaSql();
    for (const table of allTables.filter((t) => t.sync === 'server-only')) {
      expect(ddl).not.toContain(`"${table.name}" (`);
    }
  });

  it('[SC8] columns marked never-synced are left out of synced tables', () => {
    expect(syncedColumnNames(media)).not.toContain('storage_key');
    expect(localSchemaSql()).not.toContain('"storage_key"');
    expectTypeOf<MediaRow>().toHaveProperty('storage_key');
    // @ts-expect-error a replica's media row has no storage_key
    expect('storage_key' satisfies keyof SyncedRow<typeof media>).toBe('storage_key');
  });

  it('[SC9] enum columns become text limited to the enum labels', () => {
    expect(localSchemaSql()).toContain(
      `"site_role" text NOT NULL CHECK ("site_role" IN ('member', 'moderator'))`,
    );
    expectTypeOf<UserRow['site_role']>().toEqualTypeOf<'member' | 'moderator'>();
  });

  it('[SC10] the schema fingerprint is stable and follows the DDL', () => {
    expect(localSchemaVersion()).toBe(localSchemaVersion());
    expect(localSchemaVersion()).toMatch(/^[0-9a-f]{8}$/);
    expect(localSchemaVersion({ schema: 'other' })).not.toBe(localSchemaVersion());
  });

  it('[SC11] identifiers are quoted, so reserved words and mixed case are safe', () => {
    expect(localSchemaSql({ schema: 'My "Replica"' })).toContain(
      'CREATE SCHEMA IF NOT EXISTS "My ""Replica""";',
    );
  });
});
