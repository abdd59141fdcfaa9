// A named shape for one viewer, as the engine's Shape API takes it (SPEC.md VZ11): table, columns,
// where with `$n` params. Built from the viewer's facts only; nothing a client sends goes in
// (ARCHITECTURE.md Invariant 1). The fingerprint names the definition, so a change of visibility is
// a change of fingerprint.
import { v5 as uuidv5 } from 'uuid';
import { syncedColumnNames } from '../table';
import type { NamedShape } from './catalogue';
import { factsNeeded } from './facts';
import { isBaseFact, kindOf, type FactName, type Terms, type Viewer } from './terms';

export interface ShapeQuery {
  readonly table: string;
  /** The table's synced columns, in table order: never a never-synced one. */
  readonly columns: readonly string[];
  /** null: every row. */
  readonly where: string | null;
  /** `$1` -> params['1']; id lists as Postgres array literals (`{a,b}`). */
  readonly params: Readonly<Record<string, string>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An array literal of ids; anything but a UUID would be a bug in the facts, never quoted through. */
export function idList(ids: readonly string[]): string {
  for (const id of ids) if (!UUID.test(id)) throw new Error(`a fact holds a value that is not a UUID: ${id}`);
  return `{${ids.join(',')}}`;
}

function paramTerms(viewer: Viewer, params: Record<string, string>): Terms {
  const slots = new Map<string, string>();
  const slot = (key: string, value: () => string): string => {
    let placeholder = slots.get(key);
    if (placeholder === undefined) {
      placeholder = `$${slots.size + 1}`;
      slots.set(key, placeholder);
      params[String(slots.size)] = value();
    }
    return placeholder;
  };
  return {
    ...kindOf(viewer),
    me: () =>
      slot('me', () => {
        if (viewer.userId === null) throw new Error('a rule asked for the user id of an anonymous viewer');
        return viewer.userId;
      }),
    ids: (fact) =>
      slot(fact, () => {
        if (viewer.userId === null && isBaseFact(fact))
          throw new Error(`a rule asked for ${fact} of an anonymous viewer, who has none`);
        const ids = viewer.facts[fact];
        if (ids === undefined) throw new Error(`the fact ${fact} was not loaded for this viewer`);
        return idList(ids);
      }),
  };
}

/** The facts `shape` needs for this viewer (load them, then call shapeQuery). */
export function shapeFacts(shape: NamedShape, viewer: Pick<Viewer, 'userId' | 'siteRole'>): FactName[] {
  return factsNeeded(shape.rule, kindOf(viewer));
}

export function shapeQuery(shape: NamedShape, viewer: Viewer): ShapeQuery {
  const params: Record<string, string> = {};
  const where = shape.rule(paramTerms(viewer, params));
  return { table: shape.table.name, columns: syncedColumnNames(shape.table), where, params };
}

/** Any UUID would do: it scopes fingerprints to Hearth's shape definitions. */
const FINGERPRINT_NAMESPACE = '6f0b7a36-3c53-4d5e-9a3e-2f6d1d6f9b10';

/** The definition as one canonical string: equal strings, equal rows for every database state. */
export function canonicalQuery(query: ShapeQuery): string {
  const params = Object.keys(query.params)
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => [key, query.params[key]]);
  return JSON.stringify([query.table, query.columns, query.where, params]);
}

/** A stable, short name of a definition (UUID v5 of its canonical string): what the gateway compares. */
export function visibilityFingerprint(query: ShapeQuery): string {
  return uuidv5(canonicalQuery(query), FINGERPRINT_NAMESPACE);
}
