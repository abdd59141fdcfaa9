// The room store in Postgres (SPEC.md CO8, CO9): updates appended to `draft_updates`, folded into
// `draft_snapshots` in one transaction. Loads read snapshot and updates in one statement
// (schema's readDraftLog), so a compaction committing meanwhile cannot make them disagree.
import type pg from 'pg';
import type { Tx } from '@hearth/schema/mutations/define';
import { readDraftLog, mergeDraftLog } from '@hearth/schema/drafts/document';
import { compactState, type Compaction, type LoadedDraft, type RoomStore, type StoredUpdate } from './store';

/** schema's `Tx` over a pool or a client (inside BEGIN). */
export function txOf(db: Pick<pg.ClientBase, 'query'>): Tx {
  return { query: (sql, params) => db.query(sql, params) };
}

interface QueuedAppend {
  readonly draftId: string;
  readonly updates: readonly StoredUpdate[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class PostgresRoomStore implements RoomStore {
  private queue: QueuedAppend[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing = false;

  /**
   * `batchWindowMs`: appends of every room within this window go to Postgres as ONE insert (a group
   * commit): with 50 busy rooms that is tens of statements a second instead of hundreds. The relay
   * to other clients never waits for it; an append's promise resolves once its rows are committed.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly batchWindowMs = 10,
  ) {}

  async load(draftId: string): Promise<LoadedDraft> {
    const log = await readDraftLog(txOf(this.pool), draftId);
    return {
      state: mergeDraftLog(log),
      uncompactedUpdates: log.updates.length,
      uncompactedBytes: log.updateBytes,
    };
  }

  append(draftId: string, updates: readonly StoredUpdate[]): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ draftId, updates, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeQueued();
    }, this.batchWindowMs);
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    this.writing = true;
    try {
      const rows = batch.flatMap((entry) => entry.updates.map((u) => ({ draftId: entry.draftId, ...u })));
      // One statement, ids in arrival order. An author whose account was erased meanwhile is stored
      // as null (the left join) instead of failing the whole batch on the foreign key.
      await this.pool.query(
        `insert into draft_updates (draft_id, author_id, update)
         select t.draft_id, u.id, t.update
           from unnest($1::uuid[], $2::uuid[], $3::bytea[]) with ordinality as t(draft_id, author_id, update, n)
           left join users u on u.id = t.author_id
          order by t.n`,
        [rows.map((r) => r.draftId), rows.map((r) => r.authorId), rows.map((r) => Buffer.from(r.update))],
      );
      for (const entry of batch) entry.resolve();
    } catch (error) {
      // All or none for the statement; each room keeps its updates and retries (Room.writePending).
      for (const entry of batch) entry.reject(error);
    } finally {
      this.writing = false;
      this.schedule();
    }
  }

  async compact(draftId: string): Promise<Compaction> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      // FOR UPDATE conflicts with the FOR KEY SHARE every insert into draft_updates takes on its draft
      // (the foreign key check): in-flight appends commit first, new ones wait for us. So no update
      // with an id at or below the new snapshot's can commit after it and be skipped by loads.
      const locked = await client.query('select 1 from drafts where id = $1 for update', [draftId]);
      const log = locked.rowCount === 0 ? null : await readDraftLog(txOf(client), draftId);
      if (log === null || log.updates.length === 0 || log.lastUpdateId === null) {
        await client.query('commit');
        return { folded: 0, snapshotBytes: log?.snapshot?.byteLength ?? 0 };
      }
      const state = compactState(log.snapshot, log.updates);
      await client.query(
        `insert into draft_snapshots (draft_id, state, through_update_id, compacted_at)
         values ($1, $2, $3, now())
         on conflict (draft_id) do update
           set state = excluded.state, through_update_id = excluded.through_update_id,
               compacted_at = excluded.compacted_at`,
        [draftId, Buffer.from(state), log.lastUpdateId.toString()],
      );
      await client.query('delete from draft_updates where draft_id = $1 and id <= $2', [
        draftId,
        log.lastUpdateId.toString(),
      ]);
      await client.query('commit');
      return { folded: log.updates.length, snapshotBytes: state.byteLength };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
