// Where sync writes (for `syncShapesToTables` of @electric-sql/pglite-sync, when the gateway's named
// shapes arrive): each synced table's rows go into its relation in the `synced` schema, never into
// the views the app reads, so the overlay stays a separate layer (STYLE.md #4).
import { DEFAULT_REPLICA_SCHEMAS, syncedTableName, syncedTables, RECEIPTS_TABLE } from '@hearth/schema';
import { SYNC_METADATA_SCHEMA } from '../db/local-schema';

/** The part of pglite-sync's `ShapeToTableOptions` that says where rows land. */
export interface ShapeTarget {
  readonly schema: string;
  readonly table: string;
  readonly primaryKey: readonly string[];
}

/** One target per synced table, keyed by the table's name (the shape's key in `shapes`). */
export function shapeTargets(): ReadonlyMap<string, ShapeTarget> {
  return new Map(
    syncedTables.map((table) => [
      table.name,
      {
        schema: DEFAULT_REPLICA_SCHEMAS.synced,
        table: syncedTableName(table.name),
        primaryKey: [...table.primaryKey],
      },
    ]),
  );
}

/** pglite-sync's `metadataSchema`: reset with the synced tables when the app version changes. */
export const SYNC_OPTIONS = { metadataSchema: SYNC_METADATA_SCHEMA } as const;

/** Receipts must sync for the overlay to settle (OB13): the `own` shape carries them. */
export const RECEIPTS_SHAPE = RECEIPTS_TABLE;
