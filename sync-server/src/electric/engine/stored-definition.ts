// What the engine writes into a shape's metadata so that it can rebuild the shape after a restart
// (SPEC.md SE52), pure: the definition as requested (re-validated against the catalogue on open, so a
// table that changed while the server was down rotates its shapes) and the snapshot's WAL horizon.
import { z } from 'zod';
import type { DefinitionInput, ShapeDefinition } from '../shape-request';
import { quoteIdentifier } from '../table-schema';

const storedSchema = z.object({
  v: z.literal(1),
  table: z.string(),
  columns: z.string().optional(),
  where: z.string().optional(),
  params: z.record(z.string(), z.string()),
  replica: z.enum(['default', 'full']),
  log: z.enum(['full', 'changes_only']),
  /** `pg_current_wal_insert_lsn()` after the snapshot, decimal (SN3). */
  horizonLsn: z.string().regex(/^\d+$/),
});

export interface StoredDefinition {
  readonly input: DefinitionInput;
  readonly horizonLsn: bigint;
}

export function encodeDefinition(definition: ShapeDefinition, horizonLsn: bigint): string {
  const table = `${quoteIdentifier(definition.table.schema)}.${quoteIdentifier(definition.table.name)}`;
  return JSON.stringify({
    v: 1,
    table,
    ...(definition.explicitColumns ? { columns: definition.columns.map(quoteIdentifier).join(',') } : {}),
    ...(definition.whereText !== null ? { where: definition.whereText } : {}),
    params: definition.params,
    replica: definition.replica,
    log: definition.log,
    horizonLsn: horizonLsn.toString(),
  });
}

/** The stored text back; undefined when it is not one this engine wrote (then the shape is dropped). */
export function decodeDefinition(text: string): StoredDefinition | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  return {
    input: {
      table: d.table,
      columns: d.columns,
      where: d.where,
      params: d.params,
      replica: d.replica,
      log: d.log,
    },
    horizonLsn: BigInt(d.horizonLsn),
  };
}
