// The group's first try (SPEC.md WP19): no savepoints. One round trip begins the transaction and
// claims every member's receipt; then each member authorizes and applies; one commit. Most groups
// are all acceptances, and on this machine a Postgres round trip is the dearest thing a mutation
// does, so the common case pays two per group plus the mutations' own queries, instead of one more
// per mutation for its savepoint. Any failure rolls the whole try back: the caller then runs the group
// again with a savepoint per member (WP13–WP16), which decides every refusal, retry and lock race.
// A try that is rolled back leaves nothing: every effect of a mutation, payments included, goes
// through the transaction.
import type pg from 'pg';
import type { MutationContext, MutationOutcome, Tx } from '@hearth/schema/mutations/index';
import type { MutationServices } from '@hearth/schema/mutations/services';
import { storedOutcome, type Caller } from './apply';
import type { PlannedMutation } from './plan';

/** One request's mutations in the group, in order. */
export interface GroupMember {
  readonly steps: readonly PlannedMutation[];
  readonly caller: Caller;
}

export interface OptimisticDeps {
  readonly clock: () => Date;
  readonly services?: MutationServices;
  /** The transaction handle mutations query through (named statements on this connection). */
  readonly tx: Tx;
}

export type OptimisticResult =
  /** Committed: each member's outcomes, in the members' order. */
  | { readonly kind: 'committed'; readonly outcomes: MutationOutcome[][] }
  /** Rolled back before the commit: nothing of the try stays; run the group with savepoints. */
  | { readonly kind: 'rolled back'; readonly cause: unknown }
  /** The commit failed, or the connection did: nothing may be answered accepted (WP17). */
  | { readonly kind: 'broken'; readonly error: Error };

interface Step {
  readonly step: PlannedMutation;
  readonly caller: Caller;
  readonly ctx: MutationContext;
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * Every step's receipt claimed in one statement. Each value is server-checked (a UUID v7 from the
 * plan, the session's user, a registered mutation name, the server's clock), sent as an escaped
 * literal, never client SQL text. Returns the ids this statement inserted.
 */
async function beginAndClaimAll(client: pg.PoolClient, steps: readonly Step[]): Promise<Set<string>> {
  const literal = (value: string) => client.escapeLiteral(value);
  const rows = steps.map(
    ({ step, caller, ctx }) =>
      `(${literal(step.id)}, ${literal(caller.userId)}, ${literal(step.name)}, 'accepted', ${literal(ctx.now.toISOString())})`,
  );
  const results = (await client.query(
    `begin; insert into receipts (id, user_id, mutation, status, created_at)
     values ${rows.join(', ')}
     on conflict (id) do nothing
     returning id`,
  )) as unknown as pg.QueryResult<{ id: string }>[];
  return new Set(results[1]?.rows.map((row) => row.id));
}

/** The group in one transaction without savepoints; see the file comment. */
export async function applyOptimistically(
  client: pg.PoolClient,
  members: readonly GroupMember[],
  deps: OptimisticDeps,
): Promise<OptimisticResult> {
  const steps: Step[][] = members.map(({ steps: planned, caller }) =>
    planned.map((step) => ({
      step,
      caller,
      ctx: {
        userId: caller.userId,
        siteRole: caller.siteRole,
        // [WP9] One instant per mutation, the server's.
        now: deps.clock(),
        mutationId: step.id,
        ...(deps.services ? { services: deps.services } : {}),
      },
    })),
  );
  const outcomes: MutationOutcome[][] = members.map(() => []);
  try {
    const inserted = await beginAndClaimAll(client, steps.flat());
    // [WP15] An id twice in the group: the first copy claims it, the later ones are replays.
    const claimed = new Set<string>();
    const replays: [member: number, index: number, step: Step][] = [];
    for (const [m, memberSteps] of steps.entries()) {
      for (const [i, entry] of memberSteps.entries()) {
        const { step, ctx } = entry;
        if (!inserted.has(step.id) || claimed.has(step.id)) {
          replays.push([m, i, entry]);
          continue;
        }
        claimed.add(step.id);
        const facts = await step.mutation.authorize(deps.tx, step.args, ctx);
        await step.mutation.apply(deps.tx, step.args, ctx, facts);
        (outcomes[m] as MutationOutcome[])[i] = { id: step.id, status: 'accepted' };
      }
    }
    // [WP4, WP5] Replays answer the stored receipt, this transaction's own included.
    for (const [m, i, { step, caller }] of replays)
      (outcomes[m] as MutationOutcome[])[i] = await storedOutcome(client, step, caller);
  } catch (cause) {
    try {
      await client.query('rollback');
    } catch (error) {
      return { kind: 'broken', error: asError(error) };
    }
    return { kind: 'rolled back', cause };
  }
  try {
    const committed = await client.query('commit');
    // An aborted transaction "commits" as ROLLBACK without an error.
    if (committed.command === 'ROLLBACK')
      return { kind: 'broken', error: new Error('the group was rolled back') };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    return { kind: 'broken', error: asError(error) };
  }
  return { kind: 'committed', outcomes };
}
