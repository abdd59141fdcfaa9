// Loads a viewer's facts for one named shape (SPEC.md GW3, schema/src/shapes VZ10): one query, only
// the facts the shape needs, from the session's user id; and the shape's definition for that viewer.
import type pg from 'pg';
import {
  factsQuery,
  kindOf,
  shapeFacts,
  canonicalQuery,
  shapeQuery,
  type FactName,
  type FactsQuery,
  type NamedShape,
  type ShapeQuery,
  type Viewer,
} from '@hearth/schema/shapes/index';
import type { SiteRole } from '../auth';

/** Who asks, as the session says: null userId for anonymous. */
export interface Asker {
  readonly userId: string | null;
  readonly siteRole: SiteRole;
}

export const ANONYMOUS_ASKER: Asker = { userId: null, siteRole: 'member' };

export interface ShapeView {
  readonly query: ShapeQuery;
  /** Equal for equal definitions (the canonical query): a changed one means visibility changed. */
  readonly fingerprint: string;
  /** Whether the definition depends on facts that can change while a request is held. */
  readonly revocable: boolean;
}

interface Plan {
  readonly facts: readonly FactName[];
  readonly sql: FactsQuery | undefined;
}

/** Builds shape views; keeps the facts SQL of each (shape, kind of viewer), which never changes. */
export class ViewBuilder {
  private readonly plans = new Map<string, Plan>();

  constructor(private readonly db: Pick<pg.Pool, 'query'>) {}

  private plan(shape: NamedShape, asker: Asker): Plan {
    const kind = kindOf(asker);
    const key = `${shape.name}|${kind.signedIn}|${kind.moderator}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      const facts = shapeFacts(shape, asker);
      plan = { facts, sql: facts.length > 0 ? factsQuery(facts, kind) : undefined };
      this.plans.set(key, plan);
    }
    return plan;
  }

  async view(shape: NamedShape, asker: Asker): Promise<ShapeView> {
    const { facts, sql } = this.plan(shape, asker);
    const viewer: Viewer = { ...asker, facts: sql ? await this.load(sql, asker, facts) : {} };
    const query = shapeQuery(shape, viewer);
    // Compared, never stored or sent: the canonical text itself, without hashing it on every poll.
    return { query, fingerprint: canonicalQuery(query), revocable: sql !== undefined };
  }

  private async load(sql: FactsQuery, asker: Asker, facts: readonly FactName[]): Promise<Viewer['facts']> {
    const { rows } = await this.db.query<Record<string, string[]>>(
      sql.text,
      sql.signedIn ? [asker.userId] : [],
    );
    const row = rows[0];
    if (row === undefined) throw new Error('the facts query returned no row');
    const loaded: Partial<Record<FactName, readonly string[]>> = {};
    for (const fact of facts) loaded[fact] = row[fact] ?? [];
    return loaded;
  }
}
