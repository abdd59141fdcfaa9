// Group commit (SPEC.md WP13–WP19): requests that arrive while every lane's transaction is in flight
// join the next shared transaction, so Postgres pays one begin/commit and one WAL flush for the whole
// group. A group is tried first without savepoints (optimistic-group.ts); one that fails runs again
// with a savepoint per mutation. Nothing waits on purpose: a group is whatever queued meanwhile.
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import type { MutationContext, MutationOutcome, Tx } from '@hearth/schema/mutations/index';
import type { MutationServices } from '@hearth/schema/mutations/services';
import { HttpError } from '../http/errors';
import { applySteps, storedOutcome, type Caller } from './apply';
import { applyOptimistically, type OptimisticResult } from './optimistic-group';
import { classifyFailure, notAttempted, sqlState } from './outcome';
import type { PlannedMutation } from './plan';

/** What a caller may watch: queue depth and group sizes (tests form groups with it; metrics could). */
export interface GroupCommitObserver {
  /** A request (or one chunk of it) joined the queue; `waiting` requests now wait for a lane. */
  queued?(waiting: number): void;
  /** A group's transaction is about to begin; `waiting` requests are left in the queue. */
  began?(group: { readonly requests: number; readonly mutations: number; readonly waiting: number }): void;
  /**
   * How a group's first try without savepoints ended (WP19); 'rolled back' runs it with savepoints;
   * 'skipped': no try, the group went straight to savepoints (WP20).
   */
  tried?(result: OptimisticResult['kind'] | 'skipped'): void;
}

export interface GroupCommitOptions {
  readonly pool: Pick<pg.Pool, 'connect'>;
  readonly clock: () => Date;
  readonly services?: MutationServices;
  /** Transactions in flight at once, each on its own pooled connection. */
  readonly lanes?: number;
  /** Most mutations in one transaction; also the chunk size a long batch is cut into (WP18). */
  readonly maxMutations?: number;
  /**
   * [WP20] After a try that rolled back, this many groups go straight to savepoints; twice as many
   * after each further rolled-back try (at most MAX_SAVEPOINT_PAUSE), back to this after a committed one.
   */
  readonly savepointGroupsAfterRollback?: number;
  readonly observer?: GroupCommitObserver;
}

/**
 * Two lanes of up to 32: fewer lanes make bigger groups and cost less per mutation (bench writes,
 * 1 mutation per request, lanes/cap 2/32, 4/16, 8/8: Postgres 460, 613, 620 us CPU per mutation,
 * POST -> receipt p50 97, 122, 112 ms), and a second lane keeps writes moving while one group waits
 * on a row lock. 32 keeps a group's subtransactions within Postgres' per-backend cache of 64.
 */
export const GROUP_COMMIT_DEFAULTS = { lanes: 2, maxMutations: 32, savepointGroupsAfterRollback: 8 } as const;

/** [WP20] The longest pause (in groups) between tries while every try rolls back. */
const MAX_SAVEPOINT_PAUSE = 256;

/** One request's mutations (a whole batch, or one chunk of a long one) waiting for a transaction. */
interface Member {
  readonly steps: readonly PlannedMutation[];
  readonly caller: Caller;
  readonly log: FastifyBaseLogger;
  readonly settle: (outcomes: MutationOutcome[]) => void;
  readonly fail: (error: Error) => void;
}

/** A member inside the group: its outcomes so far, and where one-by-one takes over (WP16). */
interface Run {
  readonly member: Member;
  readonly outcomes: MutationOutcome[];
  deferredFrom: number | undefined;
}

class GroupBroken extends Error {}

const COMMIT_FAILED = {
  status: 'retry',
  code: ErrorCode.unavailable,
  message: 'The database could not commit this change; send it again.',
} as const;

const DATABASE_DOWN = () =>
  new HttpError(
    503,
    ErrorCode.unavailable,
    'The database is unavailable right now; send the changes again shortly.',
  );

/** [WP16] A member that lost a lock race to another transaction runs alone after the group. */
const lostRace = (error: unknown) => {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
};

/** Distinct statement texts named (prepared once per connection); beyond it they run unnamed. */
const MAX_NAMED_STATEMENTS = 1000;

export class GroupCommitter {
  private readonly queue: Member[] = [];
  /** Mutation SQL text -> prepared statement name, the same on every connection. */
  private readonly statementNames = new Map<string, string>();
  private running = 0;
  private readonly lanes: number;
  private readonly maxMutations: number;
  private readonly savepointGroupsAfterRollback: number;
  /** [WP20] Groups still to run with savepoints before the next try without them. */
  private savepointGroupsLeft = 0;
  /** [WP20] The pause the next rolled-back try starts. */
  private pause: number;

  constructor(private readonly options: GroupCommitOptions) {
    this.lanes = options.lanes ?? GROUP_COMMIT_DEFAULTS.lanes;
    this.maxMutations = options.maxMutations ?? GROUP_COMMIT_DEFAULTS.maxMutations;
    this.savepointGroupsAfterRollback =
      options.savepointGroupsAfterRollback ?? GROUP_COMMIT_DEFAULTS.savepointGroupsAfterRollback;
    this.pause = this.savepointGroupsAfterRollback;
    if (!(this.lanes >= 1 && this.maxMutations >= 1))
      throw new Error(
        `group commit needs lanes >= 1 and maxMutations >= 1, got ${this.lanes}, ${this.maxMutations}`,
      );
  }

  /**
   * The request's mutations in order, each with its outcome. A long batch goes in chunks of at most
   * `maxMutations`, each chunk after the previous one committed; a `retry` stops it there (WP7).
   */
  async submit(
    steps: readonly PlannedMutation[],
    caller: Caller,
    log: FastifyBaseLogger,
  ): Promise<MutationOutcome[]> {
    const outcomes: MutationOutcome[] = [];
    for (let start = 0; start < steps.length; start += this.maxMutations) {
      if (outcomes.at(-1)?.status === 'retry') {
        for (const step of steps.slice(start)) outcomes.push(notAttempted(step.id));
        break;
      }
      const chunk = steps.slice(start, start + this.maxMutations);
      outcomes.push(
        ...(await new Promise<MutationOutcome[]>((settle, fail) => {
          this.queue.push({ steps: chunk, caller, log, settle, fail });
          this.options.observer?.queued?.(this.queue.length);
          this.pump();
        })),
      );
    }
    return outcomes;
  }

  /** Starts a group on every free lane, from whatever has queued. */
  private pump(): void {
    while (this.running < this.lanes && this.queue.length > 0) {
      const group: Member[] = [];
      let size = 0;
      for (let next = this.queue[0]; next; next = this.queue[0]) {
        if (group.length > 0 && size + next.steps.length > this.maxMutations) break;
        group.push(next);
        size += next.steps.length;
        this.queue.shift();
      }
      this.running++;
      this.options.observer?.began?.({ requests: group.length, mutations: size, waiting: this.queue.length });
      void this.run(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** Never rejects: every member is settled or failed. */
  private async run(group: readonly Member[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.options.pool.connect();
    } catch (error) {
      for (const member of group) {
        member.log.error({ err: error }, 'no database connection for a mutation group');
        member.fail(DATABASE_DOWN());
      }
      return;
    }
    let broken: Error | undefined;
    try {
      broken = await this.applyGroup(client, group);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      for (const member of group) member.fail(broken);
    } finally {
      client.release(broken);
    }
  }

  /**
   * [WP19] First without savepoints; a try that fails anywhere is rolled back and the group runs again
   * with one savepoint per member. Returns a broken connection's error, if any.
   */
  private async applyGroup(client: pg.PoolClient, group: readonly Member[]): Promise<Error | undefined> {
    // [WP20] Refusals come in runs (a full event refuses everyone after it): while they do, a try
    // would mostly be rolled back and paid twice.
    if (this.savepointGroupsLeft > 0) {
      this.savepointGroupsLeft--;
      this.options.observer?.tried?.('skipped');
      return this.applyWithSavepoints(client, group);
    }
    const first = await applyOptimistically(client, group, {
      clock: this.options.clock,
      tx: this.txOn(client),
      ...(this.options.services ? { services: this.options.services } : {}),
    });
    this.options.observer?.tried?.(first.kind);
    switch (first.kind) {
      case 'committed':
        this.pause = this.savepointGroupsAfterRollback;
        group.forEach((member, i) => member.settle(first.outcomes[i] ?? []));
        return undefined;
      case 'broken':
        return this.answerRetry(group, first.error);
      case 'rolled back':
        this.savepointGroupsLeft = this.pause;
        this.pause = Math.min(this.pause * 2, MAX_SAVEPOINT_PAUSE);
        return this.applyWithSavepoints(client, group);
    }
  }

  /** [WP17] Nothing of the group is committed: every member is answered retry. */
  private answerRetry(group: readonly Member[], error: Error): Error {
    group[0]?.log.error(
      { err: error, mutationIds: group.flatMap((member) => member.steps.map((step) => step.id)) },
      'a mutation group failed; every member will retry',
    );
    for (const member of group)
      member.settle(member.steps.map((step) => ({ id: step.id, ...COMMIT_FAILED })));
    return error;
  }

  /** The group's transaction with a savepoint per member, then its deferred members one by one. */
  private async applyWithSavepoints(
    client: pg.PoolClient,
    group: readonly Member[],
  ): Promise<Error | undefined> {
    const runs: Run[] = group.map((member) => ({ member, outcomes: [], deferredFrom: undefined }));
    let savepoints = 0;
    try {
      for (const run of runs) {
        for (const [i, step] of run.member.steps.entries()) {
          if (run.deferredFrom !== undefined) break;
          if (run.outcomes.at(-1)?.status === 'retry') {
            run.outcomes.push(notAttempted(step.id));
            continue;
          }
          const outcome = await this.applyMember(client, step, run.member, savepoints++);
          if (outcome === 'deferred') run.deferredFrom = i;
          else run.outcomes.push(outcome);
        }
      }
      const committed = await client.query('commit');
      // An aborted transaction "commits" as ROLLBACK without an error.
      if (committed.command === 'ROLLBACK') throw new GroupBroken('the group transaction was rolled back');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      // The connection is not trusted again after a failed group.
      return this.answerRetry(group, error instanceof Error ? error : new Error(String(error)));
    }
    // [WP16] Members that lost a lock race run after the commit, each in its own transaction.
    let broken: Error | undefined;
    for (const { member, outcomes, deferredFrom } of runs) {
      const rest = deferredFrom === undefined ? [] : member.steps.slice(deferredFrom);
      if (broken === undefined) {
        const options = {
          clock: this.options.clock,
          log: member.log,
          ...(this.options.services ? { services: this.options.services } : {}),
        };
        broken = await applySteps(client, rest, member.caller, options, outcomes);
      } else {
        for (const step of rest) outcomes.push(notAttempted(step.id));
      }
      member.settle(outcomes);
    }
    return broken;
  }

  /**
   * One member in its own savepoint: claim the receipt, authorize, apply. The previous savepoint's
   * release, this one and the claim go in one round trip (the first member's also carries `begin`).
   */
  private async applyMember(
    client: pg.PoolClient,
    step: PlannedMutation,
    member: Member,
    index: number,
  ): Promise<MutationOutcome | 'deferred'> {
    const { caller } = member;
    const tx = this.txOn(client);
    const ctx: MutationContext = {
      userId: caller.userId,
      siteRole: caller.siteRole,
      now: this.options.clock(),
      mutationId: step.id,
      ...(this.options.services ? { services: this.options.services } : {}),
    };
    const literal = (value: string) => client.escapeLiteral(value);
    const savepoint = `m${index}`;
    const opening = index === 0 ? 'begin' : `release savepoint m${index - 1}`;
    let claimed: boolean;
    try {
      // Every value is server-checked (a UUID v7 from the plan, the session's user, a registered
      // mutation name, the server's clock), sent as an escaped literal, never client SQL text.
      const results = (await client.query(
        `${opening}; savepoint ${savepoint};
         insert into receipts (id, user_id, mutation, status, created_at)
         values (${literal(step.id)}, ${literal(caller.userId)}, ${literal(step.name)}, 'accepted', ${literal(ctx.now.toISOString())})
         on conflict (id) do nothing`,
      )) as unknown as pg.QueryResult[];
      claimed = results[2]?.rowCount === 1;
    } catch (error) {
      return this.failed(client, step, member, savepoint, error, ctx.now);
    }
    // [WP15] A replay, also of a member earlier in this group: the stored (or same-group) receipt.
    if (!claimed) return storedOutcome(client, step, caller);
    try {
      const facts = await step.mutation.authorize(tx, step.args, ctx);
      await step.mutation.apply(tx, step.args, ctx, facts);
      return { id: step.id, status: 'accepted' };
    } catch (error) {
      return this.failed(client, step, member, savepoint, error, ctx.now);
    }
  }

  /** [WP14] Back to the member's savepoint: nothing of it stays; a rejection records its receipt. */
  private async failed(
    client: pg.PoolClient,
    step: PlannedMutation,
    member: Member,
    savepoint: string,
    error: unknown,
    now: Date,
  ): Promise<MutationOutcome | 'deferred'> {
    const failure = classifyFailure(error);
    if (failure.kind === 'retry') {
      await this.rollbackTo(client, savepoint);
      if (lostRace(error)) return 'deferred';
      member.log.error(
        { err: error, mutationId: step.id, mutation: step.name },
        'mutation failed; the client will retry',
      );
      return { id: step.id, status: 'retry', code: failure.code, message: failure.message };
    }
    const literal = (value: string) => client.escapeLiteral(value);
    let recorded: pg.QueryResult | undefined;
    try {
      const results = (await client.query(
        `rollback to savepoint ${savepoint};
         insert into receipts (id, user_id, mutation, status, error_code, error_message, created_at)
         values (${literal(step.id)}, ${literal(member.caller.userId)}, ${literal(step.name)}, 'rejected',
                 ${literal(failure.code)}, ${literal(failure.message)}, ${literal(now.toISOString())})
         on conflict (id) do nothing`,
      )) as unknown as pg.QueryResult[];
      recorded = results[1];
    } catch (cause) {
      throw new GroupBroken('recording a rejection failed', { cause });
    }
    if (recorded?.rowCount === 0) return storedOutcome(client, step, member.caller);
    return { id: step.id, status: 'rejected', code: failure.code, message: failure.message };
  }

  /** The mutations' handle on this connection: their statements run named (see statementName). */
  private txOn(client: pg.PoolClient): Tx {
    return {
      query: (sql, params) =>
        client.query({ text: sql, ...this.statementName(sql), ...(params ? { values: params } : {}) }),
    };
  }

  /**
   * Mutations' SQL is a fixed set of texts from `schema/`: each is parsed and planned once per
   * connection and then only bound and executed, which saves Postgres most of a short statement's CPU.
   */
  private statementName(sql: string): { name?: string } {
    let name = this.statementNames.get(sql);
    if (name === undefined && this.statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `hearth_write_${this.statementNames.size}`;
      this.statementNames.set(sql, name);
    }
    return name === undefined ? {} : { name };
  }

  private async rollbackTo(client: pg.PoolClient, savepoint: string): Promise<void> {
    try {
      await client.query(`rollback to savepoint ${savepoint}`);
    } catch (cause) {
      throw new GroupBroken(`rollback to ${savepoint} failed`, { cause });
    }
  }
}
