// The IO shell of the replication stream (SPEC.md RP3–RP12): a `replication=database` connection
// from `pg`, START_REPLICATION on the slot with pgoutput, frames decoded by ./pgoutput, whole
// transactions assembled by ./transactions, acknowledgements kept by ./acknowledgement.
// Events reach one async handler in stream order; the socket pauses while the handler is behind.
import pg from 'pg';
import type { Logger } from '../../log';
import { displaySettingsOptions } from '../snapshot/display-settings';
import { AckTracker, backoffDelay } from './acknowledgement';
import { REPLICATION_REASONS, ReplicationError, isSlotLoss } from './errors';
import { type Lsn, formatLsn } from './lsn';
import {
  PgoutputDecodeError,
  type RelationMessage,
  decodePgoutput,
  decodeWalMessage,
  encodeStandbyStatus,
} from './pgoutput';
import { type ReplicationNames, ensureSlot, readSlot, replicationNames, slotProblem } from './setup';
import {
  type Relation,
  type RelationStatus,
  type Transaction,
  TransactionAssembler,
  buildRelation,
} from './transactions';

export type ReplicationEvent =
  /** START_REPLICATION succeeded; transactions after `startLsn` follow (after a reconnect: again). */
  | { readonly type: 'streaming'; readonly slot: string; readonly startLsn: Lsn }
  /**
   * A Relation message: before the first change of a relation on each connection and after its
   * schema changed. `changed` (vs the last one for that oid) is a schema change: rotate its shapes.
   */
  | {
      readonly type: 'relation';
      readonly relation: Relation;
      readonly status: RelationStatus;
      readonly previous?: Relation;
    }
  /** A whole committed transaction. Acknowledge it with `ack(commitLsn)` once it is durable. */
  | { readonly type: 'transaction'; readonly transaction: Transaction }
  /** The connection ended or failed; the client reconnects after `retryInMs`. */
  | { readonly type: 'disconnected'; readonly error: ReplicationError; readonly retryInMs: number }
  /**
   * The slot was dropped or invalidated: changes may have been lost, so every shape must rotate.
   * A new slot already exists; its transactions come after this event, from `newSlotLsn` on.
   */
  | {
      readonly type: 'slot-lost';
      readonly slot: string;
      readonly error: ReplicationError;
      readonly newSlotLsn: Lsn;
    };

export interface ReplicationClientOptions {
  /** The database to stream from, as for `pg.Client`; `replication: 'database'` is added. */
  readonly connection: string | pg.ClientConfig;
  /** Regular connections: catalogue reads for Relation messages, and a new slot after a loss. */
  readonly pool: pg.Pool;
  readonly names?: Partial<ReplicationNames>;
  /** Awaited before the next event: the stream waits for a slow consumer. A throw restarts the stream. */
  readonly handler: (event: ReplicationEvent) => void | Promise<void>;
  /** Standby status updates are sent at least this often (the walsender's timeout is 60 s). */
  readonly statusIntervalMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Frames queued past this pause the socket until the handler catches up. */
  readonly maxQueuedFrames?: number;
  readonly log?: Logger;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** What `pg`'s Connection does for COPY BOTH (protocol-level methods its typings leave out). */
interface CopyBothConnection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): unknown;
  once(event: 'replicationStart', listener: () => void): unknown;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  readonly stream: { pause(): void; resume(): void; destroy(): void };
}

type QueueItem = { readonly frame: Buffer } | { readonly streaming: Lsn };

const DEFAULTS = {
  statusIntervalMs: 10_000,
  backoff: { initialMs: 250, maxMs: 10_000 },
  maxQueuedFrames: 1024,
};

function asReplicationError(error: unknown): ReplicationError {
  if (error instanceof ReplicationError) return error;
  if (error instanceof PgoutputDecodeError) {
    return new ReplicationError(REPLICATION_REASONS.protocol, `Replication stream: ${error.message}`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ReplicationError(REPLICATION_REASONS.connectionLost, `Replication connection: ${message}`, {
    cause: error,
  });
}

export class ReplicationClient {
  private readonly names: ReplicationNames;
  private readonly statusIntervalMs: number;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly maxQueuedFrames: number;
  private readonly random: () => number;
  private readonly now: () => number;

  private acks = new AckTracker();
  private readonly assembler = new TransactionAssembler();
  /** Type names read from the catalogue for oids no Type message named (built-in types). */
  private readonly catalogTypeNames = new Map<number, string>();

  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeSleep: (() => void) | undefined;
  private firstStreaming: { resolve: () => void; reject: (e: Error) => void } | undefined;
  /** A slot loss the handler has not yet taken: delivered before anything else streams. */
  private unreportedSlotLoss: { error: ReplicationError; newSlotLsn: Lsn } | undefined;

  // The current connection and its frame queue; a new generation per connection.
  private generation = 0;
  private activeClient: pg.Client | undefined;
  /** Set while streaming (between CopyBothResponse and the end of the session). */
  private connection: CopyBothConnection | undefined;
  private sessionFailure: ReplicationError | undefined;
  private queue: QueueItem[] = [];
  private pump: Promise<void> | undefined;
  private paused = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusScheduled = false;

  constructor(private readonly options: ReplicationClientOptions) {
    this.names = replicationNames(options.names);
    this.statusIntervalMs = options.statusIntervalMs ?? DEFAULTS.statusIntervalMs;
    this.backoff = options.backoff ?? DEFAULTS.backoff;
    this.maxQueuedFrames = options.maxQueuedFrames ?? DEFAULTS.maxQueuedFrames;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** The position the slot has been told it may discard up to (what a restart resumes from). */
  get confirmedLsn(): Lsn {
    return this.acks.flushed;
  }

  /** Resolves once the stream runs; failures before that are `disconnected` events and retried. */
  start(): Promise<void> {
    if (this.loop) throw new Error('ReplicationClient.start() was already called');
    const started = new Promise<void>((resolve, reject) => {
      this.firstStreaming = { resolve, reject };
    });
    this.loop = this.run();
    return started;
  }

  /**
   * Every transaction delivered with a commit LSN at or below `lsn` is durable (RP8): the slot may
   * move past it. Acks in one tick are sent as one status update.
   */
  ack(lsn: Lsn): void {
    if (!this.acks.ack(lsn) || this.statusScheduled) return;
    this.statusScheduled = true;
    setImmediate(() => {
      this.statusScheduled = false;
      this.sendStatus(false);
    });
  }

  /** Tells the slot what was acknowledged, ends the stream and waits for the loop to finish. */
  async stop(): Promise<void> {
    if (this.stopping) return this.loop;
    this.stopping = true;
    this.firstStreaming?.reject(new Error('ReplicationClient stopped before streaming began'));
    this.wakeSleep?.();
    const connection = this.connection;
    if (connection) {
      this.endStream(connection);
      // The walsender answers CopyDone at once; if it does not, cut the socket.
      const cut = setTimeout(() => connection.stream.destroy(), 5_000);
      await this.loop;
      clearTimeout(cut);
    } else {
      // Connecting or waiting to retry: abort that.
      await this.activeClient?.end().catch(() => undefined);
      await this.loop;
    }
  }

  /** Graceful end: the last status update, then CopyDone; Postgres answers and the query completes. */
  private endStream(connection: CopyBothConnection): void {
    this.sendStatus(false);
    connection.endCopyFrom();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopping) {
      let failure: ReplicationError;
      try {
        await this.reportSlotLoss();
        await this.session(() => {
          attempt = 0;
        });
        if (this.stopping) break;
        failure = new ReplicationError(
          REPLICATION_REASONS.connectionLost,
          'Postgres ended the replication stream.',
        );
      } catch (error) {
        failure = asReplicationError(error);
      }
      if (this.stopping) break;
      if (isSlotLoss(failure)) {
        try {
          await this.replaceSlot(failure);
          continue;
        } catch (error) {
          failure = asReplicationError(error);
        }
      }
      const retryInMs = backoffDelay(attempt++, this.backoff, this.random);
      this.options.log?.warn({ err: failure, reason: failure.reason, retryInMs }, 'replication disconnected');
      await this.deliverQuietly({ type: 'disconnected', error: failure, retryInMs });
      await this.sleep(retryInMs);
    }
  }

  /** Makes a new slot after a loss and tells the handler, before any transaction of the new slot. */
  private async replaceSlot(error: ReplicationError): Promise<void> {
    const outcome = await ensureSlot(this.options.pool, this.names.slot);
    const newSlotLsn =
      outcome.status === 'existing' ? (outcome.state.confirmedFlushLsn ?? 0n) : outcome.consistentLsn;
    this.acks = new AckTracker();
    this.assembler.abort();
    this.unreportedSlotLoss = { error, newSlotLsn };
    this.options.log?.error({ err: error, slot: this.names.slot }, 'replication slot lost; made a new one');
  }

  private async reportSlotLoss(): Promise<void> {
    const loss = this.unreportedSlotLoss;
    if (!loss) return;
    try {
      await this.options.handler({ type: 'slot-lost', slot: this.names.slot, ...loss });
    } catch (error) {
      throw new ReplicationError(
        REPLICATION_REASONS.handlerFailed,
        'The handler failed on a slot-lost event.',
        {
          cause: error,
        },
      );
    }
    this.unreportedSlotLoss = undefined;
  }

  /** One connection, from connect to its end. Resolves on a requested stop, rejects otherwise. */
  private async session(onStreaming: () => void): Promise<void> {
    const generation = ++this.generation;
    this.sessionFailure = undefined;
    const base =
      typeof this.options.connection === 'string'
        ? { connectionString: this.options.connection }
        : this.options.connection;
    const client = new pg.Client({
      ...base,
      replication: 'database',
      options: [base.options, displaySettingsOptions()].filter(Boolean).join(' '),
    } as pg.ClientConfig);
    let closed: (error: Error) => void = () => undefined;
    const closedPromise = new Promise<never>((_, reject) => {
      closed = reject;
    });
    closedPromise.catch(() => undefined); // read only while the session runs
    client.on('error', (error) => closed(error));
    client.on('end', () => closed(new Error('the connection closed')));
    this.activeClient = client;
    try {
      await client.connect();
      const database = (await client.query<{ db: string }>('select current_database() as db')).rows[0]
        ?.db as string;
      const state = await readSlot(client, this.names.slot);
      const problem = slotProblem(state, this.names.slot, database);
      if (problem) throw problem;
      if (state?.confirmedFlushLsn != null) this.acks.atLeast(state.confirmedFlushLsn);

      const connection = client.connection as unknown as CopyBothConnection;
      // Copied: the chunk is a view into pg's read buffer, which it reuses for later socket data, and
      // frames wait in the queue while the handler is busy.
      connection.on('copyData', (message) => this.enqueue(generation, { frame: Buffer.from(message.chunk) }));
      const startLsn = this.acks.flushed;
      connection.once('replicationStart', () => {
        if (generation !== this.generation) return;
        this.connection = connection;
        if (this.stopping) this.endStream(connection);
        this.statusTimer = setInterval(() => this.sendStatus(false), this.statusIntervalMs);
        this.statusTimer.unref();
        onStreaming();
        this.enqueue(generation, { streaming: startLsn });
      });
      const streamed = client.query(
        `START_REPLICATION SLOT ${pg.escapeIdentifier(this.names.slot)} LOGICAL ${formatLsn(startLsn)} ` +
          `(proto_version '1', publication_names ${pg.escapeLiteral(this.names.publication)})`,
      );
      try {
        await Promise.race([streamed, closedPromise]);
      } catch (error) {
        throw this.failureOfSession() ?? (await this.classify(error));
      }
      const failure = this.failureOfSession();
      if (failure) throw failure;
    } finally {
      this.connection = undefined;
      this.activeClient = undefined;
      clearInterval(this.statusTimer);
      this.generation++; // frames still arriving from this connection are dropped
      await this.pump;
      this.queue = [];
      this.paused = false;
      this.assembler.abort();
      await client.end().catch(() => undefined);
    }
  }

  /** A failed START_REPLICATION or stream: a slot loss if the slot is gone, else a connection loss. */
  private async classify(error: unknown): Promise<ReplicationError> {
    try {
      const { rows } = await this.options.pool.query<{ db: string }>('select current_database() as db');
      const problem = slotProblem(
        await readSlot(this.options.pool, this.names.slot),
        this.names.slot,
        rows[0]?.db ?? '',
      );
      if (problem && isSlotLoss(problem))
        return new ReplicationError(problem.reason, problem.message, { cause: error });
    } catch {
      // Postgres unreachable: a connection loss.
    }
    return asReplicationError(error);
  }

  private enqueue(generation: number, item: QueueItem): void {
    if (generation !== this.generation) return;
    this.queue.push(item);
    if (!this.paused && this.queue.length >= this.maxQueuedFrames && this.connection) {
      this.paused = true;
      this.connection.stream.pause();
    }
    if (!this.pump) this.pump = this.drain(generation);
  }

  private async drain(generation: number): Promise<void> {
    try {
      let item: QueueItem | undefined;
      while (generation === this.generation && (item = this.queue.shift()) !== undefined) {
        if ('streaming' in item) {
          this.firstStreaming?.resolve();
          this.firstStreaming = undefined;
          await this.deliver({ type: 'streaming', slot: this.names.slot, startLsn: item.streaming });
        } else {
          await this.process(item.frame);
        }
        if (this.paused && this.queue.length <= this.maxQueuedFrames / 4 && generation === this.generation) {
          this.paused = false;
          this.connection?.stream.resume();
        }
      }
    } catch (error) {
      this.failSession(generation, asReplicationError(error));
    } finally {
      this.pump = undefined;
    }
  }

  private async process(frame: Buffer): Promise<void> {
    const wal = decodeWalMessage(frame);
    if (wal.kind === 'keepalive') {
      const idle = this.queue.length === 0 && !this.assembler.inTransaction;
      if (this.acks.keepalive(wal.walEnd, idle) || wal.replyRequested) this.sendStatus(false);
      return;
    }
    const message = decodePgoutput(wal.data);
    if (message.tag === 'relation') {
      const relation = await this.resolveRelation(message);
      const { status, previous } = this.assembler.setRelation(relation);
      await this.deliver({ type: 'relation', relation, status, ...(previous ? { previous } : {}) });
      return;
    }
    const transaction = this.assembler.push(message);
    if (transaction) {
      this.acks.delivered(transaction);
      await this.deliver({ type: 'transaction', transaction });
    }
  }

  /** Type names (Type messages first, then the catalogue) and the primary key (catalogue). */
  private async resolveRelation(message: RelationMessage): Promise<Relation> {
    const unknown = message.columns
      .map((c) => c.typeOid)
      .filter((oid) => !this.assembler.typeNames.has(oid) && !this.catalogTypeNames.has(oid));
    if (unknown.length > 0) {
      const { rows } = await this.options.pool.query<{ oid: string; typname: string }>(
        'select oid::int8::text as oid, typname from pg_type where oid = any($1::oid[])',
        [unknown],
      );
      for (const row of rows) this.catalogTypeNames.set(Number(row.oid), row.typname);
    }
    const key = await this.options.pool.query<{ attname: string }>(
      `select a.attname from pg_index i
         join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = $1::oid and i.indisprimary
        order by array_position(i.indkey::int2[], a.attnum)`,
      [message.oid],
    );
    return buildRelation(
      message,
      (c) =>
        this.assembler.typeNames.get(c.typeOid) ?? this.catalogTypeNames.get(c.typeOid) ?? `oid_${c.typeOid}`,
      key.rows.map((r) => r.attname),
    );
  }

  private async deliver(event: ReplicationEvent): Promise<void> {
    try {
      await this.options.handler(event);
    } catch (error) {
      throw new ReplicationError(
        REPLICATION_REASONS.handlerFailed,
        `The replication handler failed on a ${event.type} event; the stream restarts from the last ack.`,
        { cause: error },
      );
    }
  }

  /** For notices about the stream itself: a handler failure there is logged, not looped on. */
  private async deliverQuietly(event: ReplicationEvent): Promise<void> {
    try {
      await this.options.handler(event);
    } catch (error) {
      this.options.log?.error({ err: error, event: event.type }, 'replication handler failed');
    }
  }

  /** Set from the pump while the session awaits, hence read through a call. */
  private failureOfSession(): ReplicationError | undefined {
    return this.sessionFailure;
  }

  private failSession(generation: number, error: ReplicationError): void {
    if (generation !== this.generation) return;
    this.sessionFailure ??= error;
    this.connection?.stream.destroy();
  }

  private sendStatus(replyRequested: boolean): void {
    const flushed = this.acks.flushed;
    this.connection?.sendCopyFromChunk(
      encodeStandbyStatus(
        { written: flushed, flushed, applied: flushed },
        BigInt(this.now()) * 1000n,
        replyRequested,
      ),
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleep = undefined;
        resolve();
      }, ms);
      this.wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
