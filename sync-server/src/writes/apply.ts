// One mutation, one transaction: the write path's one-by-one mode, which group-commit.ts falls back to
// for a member that lost a lock race (WP16). The receipt row is claimed first (INSERT … ON CONFLICT DO NOTHING): the primary key makes a
// concurrent replay of the same id wait for the first and then find its receipt, so a mutation is
// applied at most once (ARCHITECTURE.md invariant 2; SPEC.md WP4, WP8).
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import type { MutationContext, MutationOutcome, SiteRole, Tx } from '@hearth/schema/mutations/index';
import type { MutationServices } from '@hearth/schema/mutations/services';
import { classifyFailure, notAttempted, outcomeOfReceipt, type StoredReceipt } from './outcome';
import type { PlannedMutation } from './plan';

/** Who is writing: from the session, never from the body. */
export interface Caller {
  readonly userId: string;
  readonly siteRole: SiteRole;
}

export interface ApplyOptions {
  readonly clock: () => Date;
  readonly log: FastifyBaseLogger;
  /** Server capabilities mutations may need (ticket signing, payments, the story sanitizer). */
  readonly services?: MutationServices;
}

class ConnectionBroken extends Error {}

/** The outcome a stored receipt answers to a replay (WP4, WP5), read inside the caller's transaction. */
export async function storedOutcome(
  client: pg.PoolClient,
  step: PlannedMutation,
  caller: Caller,
): Promise<MutationOutcome> {
  const { rows } = await client.query<StoredReceipt>(
    `select user_id, mutation, status, error_code, error_message from receipts where id = $1`,
    [step.id],
  );
  const receipt = rows[0];
  // Claimed by a transaction that then rolled back: nothing is stored, so the client sends it again.
  if (!receipt) return notAttempted(step.id);
  return outcomeOfReceipt(step.id, receipt, { userId: caller.userId, name: step.name });
}

async function rollback(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('rollback');
  } catch (error) {
    throw new ConnectionBroken('rollback failed', { cause: error });
  }
}

/**
 * `begin` and the receipt claim in one round trip (a simple-protocol query of two statements; the
 * extended protocol takes one statement per round trip). Every value is a server-checked one (a UUID
 * v7 from the plan, the session's user, a registered mutation name, the server's clock), sent as an
 * escaped literal, never as SQL text of the client's.
 */
async function beginAndClaim(
  client: pg.PoolClient,
  step: PlannedMutation,
  caller: Caller,
  now: Date,
): Promise<boolean> {
  const literal = (value: string) => client.escapeLiteral(value);
  const results = (await client.query(
    `begin; insert into receipts (id, user_id, mutation, status, created_at)
     values (${literal(step.id)}, ${literal(caller.userId)}, ${literal(step.name)}, 'accepted', ${literal(now.toISOString())})
     on conflict (id) do nothing`,
  )) as unknown as pg.QueryResult[];
  return results[1]?.rowCount === 1;
}

/** One mutation, one transaction: claim the receipt, authorize, apply, commit. */
export async function applyOne(
  client: pg.PoolClient,
  step: PlannedMutation,
  caller: Caller,
  options: ApplyOptions,
): Promise<MutationOutcome> {
  const tx: Tx = { query: (sql, params) => client.query(sql, params) };
  const ctx: MutationContext = {
    userId: caller.userId,
    siteRole: caller.siteRole,
    now: options.clock(),
    mutationId: step.id,
    ...(options.services ? { services: options.services } : {}),
  };
  try {
    if (!(await beginAndClaim(client, step, caller, ctx.now))) {
      await client.query('rollback');
      return await storedOutcome(client, step, caller);
    }
    const facts = await step.mutation.authorize(tx, step.args, ctx);
    await step.mutation.apply(tx, step.args, ctx, facts);
    await client.query('commit');
    return { id: step.id, status: 'accepted' };
  } catch (error) {
    await rollback(client);
    const failure = classifyFailure(error);
    if (failure.kind === 'retry') {
      options.log.error(
        { err: error, mutationId: step.id, mutation: step.name },
        'mutation failed; the client will retry',
      );
      return { id: step.id, status: 'retry', code: failure.code, message: failure.message };
    }
    // [WP6] The apply is rolled back; the rejection is recorded in its own statement (transaction).
    const recorded = await client.query(
      `insert into receipts (id, user_id, mutation, status, error_code, error_message, created_at)
       values ($1, $2, $3, 'rejected', $4, $5, $6)
       on conflict (id) do nothing`,
      [step.id, caller.userId, step.name, failure.code, failure.message, ctx.now],
    );
    if (recorded.rowCount === 0) return await storedOutcome(client, step, caller);
    return { id: step.id, status: 'rejected', code: failure.code, message: failure.message };
  }
}

/**
 * Steps in order on one connection, one transaction each, appended to `outcomes`. A mutation to retry
 * stops them: it and the ones after it come back as `retry` (WP7), so the client's outbox keeps its
 * order. Returns the error of a connection that broke (release it with that error), if any.
 */
export async function applySteps(
  client: pg.PoolClient,
  steps: readonly PlannedMutation[],
  caller: Caller,
  options: ApplyOptions,
  outcomes: MutationOutcome[],
): Promise<Error | undefined> {
  let broken: Error | undefined;
  for (const step of steps) {
    if (outcomes.at(-1)?.status === 'retry') {
      outcomes.push(notAttempted(step.id));
      continue;
    }
    try {
      outcomes.push(await applyOne(client, step, caller, options));
    } catch (error) {
      // The connection itself failed (rollback or the receipt write): retry from here on.
      broken = error instanceof Error ? error : new Error(String(error));
      options.log.error({ err: error, mutationId: step.id }, 'database connection failed during a mutation');
      outcomes.push({
        id: step.id,
        status: 'retry',
        code: ErrorCode.unavailable,
        message: 'The database connection failed; send it again.',
      });
    }
  }
  return broken;
}
