// The named shapes a client may ask the gateway for (`GET /api/shapes/:name`), one per synced table
// (pglite-sync allows one subscription per table, so a table's shape combines all of a viewer's
// visibility). A shape's columns are always its table's synced columns; its rows, its rule's.
import { syncedTables } from '../catalogue';
import type { Table } from '../table';
import { rules, type RuleTable } from './rules';
import type { Rule } from './terms';

/**
 * - `everyone`: the same rows for every viewer: one shape, cacheable by anyone (CDN).
 * - `viewer`: rows depend on who asks; anonymous viewers get the public slice (the same for all of
 *   them, cacheable per cookie), signed-in viewers their own (private).
 * - `signed-in`: only for signed-in viewers (anonymous: 401), private.
 */
export type ShapeAccess = 'everyone' | 'viewer' | 'signed-in';

export interface NamedShape {
  readonly name: string;
  readonly table: Table;
  readonly access: ShapeAccess;
  readonly rule: Rule;
}

const ACCESS: Record<RuleTable, ShapeAccess> = {
  users: 'everyone',
  emotions: 'everyone',
  emotion_labels: 'everyone',
  tags: 'everyone',
  signing_keys: 'everyone',
  communities: 'viewer',
  events: 'viewer',
  event_hosts: 'viewer',
  ticket_tiers: 'viewer',
  media: 'viewer',
  stories: 'viewer',
  story_authors: 'viewer',
  story_emotions: 'viewer',
  story_tags: 'viewer',
  story_media: 'viewer',
  story_translations: 'viewer',
  comments: 'viewer',
  reactions: 'viewer',
  memberships: 'signed-in',
  follows: 'signed-in',
  blocks: 'signed-in',
  rsvps: 'signed-in',
  tickets: 'signed-in',
  ticket_passes: 'signed-in',
  check_ins: 'signed-in',
  drafts: 'signed-in',
  draft_authors: 'signed-in',
  draft_emotions: 'signed-in',
  draft_tags: 'signed-in',
  story_versions: 'signed-in',
  consents: 'signed-in',
  reports: 'signed-in',
  receipts: 'signed-in',
};

function hasRule(name: string): name is RuleTable {
  return Object.hasOwn(rules, name);
}

/** Every synced table, in catalogue order, under its table name. A synced table without a rule throws. */
export const namedShapes: readonly NamedShape[] = syncedTables.map((table) => {
  if (!hasRule(table.name))
    throw new Error(`synced table "${table.name}" has no visibility rule in schema/src/shapes/rules.ts`);
  return { name: table.name, table, access: ACCESS[table.name], rule: rules[table.name] };
});

const byName: ReadonlyMap<string, NamedShape> = new Map(namedShapes.map((shape) => [shape.name, shape]));

/** The shape of that name, or undefined (never resolved through Object.prototype). */
export function shapeNamed(name: string): NamedShape | undefined {
  return byName.get(name);
}

export const SHAPE_NAMES: readonly string[] = namedShapes.map((shape) => shape.name);
