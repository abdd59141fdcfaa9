// The mutation mechanism (STYLE.md #3): a write is defined once, as a name, a zod argument schema, the
// server's authoritative SQL (authorize + apply, through a minimal `Tx`) and the client's optimistic
// apply (a pure function from args and local rows to row changes for the overlay). No IO here.
import type { z } from 'zod';
import type { tables, TableKey, TableName } from '../catalogue';
import type { ErrorCode } from '../errors';
import type { SyncedRow } from '../table';
import type { siteRole } from '../tables/accounts';
import type { MutationServices } from './services';

type TablesByName = { [K in TableKey as (typeof tables)[K]['name']]: (typeof tables)[K] };

/** A row of table `N` as a replica holds it (server-only columns left out). */
export type ReplicaRow<N extends TableName> = SyncedRow<TablesByName[N]>;

/** One change the optimistic apply lays over the replica; `delete` carries the row it hides. */
export type RowChange = {
  [N in TableName]: { readonly table: N; readonly op: 'upsert' | 'delete'; readonly row: ReplicaRow<N> };
}[TableName];

export type SiteRole = (typeof siteRole.values)[number];

/** What a mutation knows besides its args. Identity and time come from the server, never the client. */
export interface MutationContext {
  readonly userId: string;
  readonly siteRole: SiteRole;
  /** The server's clock on the server; the device's clock only for the optimistic guess. */
  readonly now: Date;
  readonly mutationId: string;
  /** Server capabilities (ticket signing, payments); absent in the client's optimistic apply. */
  readonly services?: MutationServices;
}

export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number | null;
}

/** The one thing server code needs from a transaction; sync-server passes a pg client inside BEGIN. */
export interface Tx {
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/** Reads over the replica as the user sees it (synced rows with the overlay laid over them). */
export interface LocalReader {
  /** By primary key, for tables keyed by one `id`-like column. */
  get<N extends TableName>(table: N, key: string): Promise<ReplicaRow<N> | undefined>;
  /** Rows whose columns equal every value in `where`. */
  find<N extends TableName>(table: N, where: Partial<ReplicaRow<N>>): Promise<ReplicaRow<N>[]>;
}

/** A domain refusal (4xx): the transaction rolls back, a rejected receipt records the code. */
export class MutationRejected extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MutationRejected';
  }
}

export function reject(code: ErrorCode, message: string): never {
  throw new MutationRejected(code, message);
}

export interface Mutation<Name extends string, Args extends z.ZodType, Facts> {
  readonly name: Name;
  readonly args: Args;
  /** Checks the caller may do this and returns what it read (rows locked as needed) for `apply`. */
  authorize(tx: Tx, args: z.output<Args>, ctx: MutationContext): Promise<Facts>;
  /** The authoritative SQL, in the same transaction as `authorize` and the receipt. */
  apply(tx: Tx, args: z.output<Args>, ctx: MutationContext, facts: Facts): Promise<void>;
  /** The client's guess; returns no changes when the local rows already say it will be refused. */
  optimistic(args: z.output<Args>, ctx: MutationContext, local: LocalReader): Promise<RowChange[]>;
}

/**
 * Any mutation, its args erased: what the server's write path and the client's outbox hold.
 * Method syntax on purpose: args were parsed with `args` before these are called.
 */
export interface AnyMutation {
  readonly name: string;
  readonly args: z.ZodType;
  authorize(tx: Tx, args: unknown, ctx: MutationContext): Promise<unknown>;
  apply(tx: Tx, args: unknown, ctx: MutationContext, facts: unknown): Promise<void>;
  optimistic(args: unknown, ctx: MutationContext, local: LocalReader): Promise<RowChange[]>;
}

export function defineMutation<
  const Name extends string,
  Args extends z.ZodType,
  Facts = undefined,
>(definition: {
  name: Name;
  args: Args;
  authorize?: (tx: Tx, args: z.output<Args>, ctx: MutationContext) => Promise<Facts>;
  apply: (tx: Tx, args: z.output<Args>, ctx: MutationContext, facts: Facts) => Promise<void>;
  optimistic: (args: z.output<Args>, ctx: MutationContext, local: LocalReader) => Promise<RowChange[]>;
}): Mutation<Name, Args, Facts> {
  const { name, args, apply, optimistic } = definition;
  const authorize = definition.authorize ?? (() => Promise.resolve(undefined as Facts));
  return { name, args, authorize, apply, optimistic };
}

/** Runs an optimistic guess that may hit a refusal: a refusal means "nothing to lay over". */
export async function guess(build: () => Promise<RowChange[]>): Promise<RowChange[]> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof MutationRejected) return [];
    throw error;
  }
}
