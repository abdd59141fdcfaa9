// The room store in memory (SPEC.md CO12): the Postgres store's contract without a database, for pure
// tests of rooms and as the second implementation the contract suite runs against.
import { mergeDraftLog } from '@hearth/schema/drafts/document';
import { compactState, type Compaction, type LoadedDraft, type RoomStore, type StoredUpdate } from './store';

interface Log {
  snapshot: Uint8Array | null;
  updates: { id: number; update: Uint8Array; authorId: string | null }[];
}

export class MemoryRoomStore implements RoomStore {
  private readonly logs = new Map<string, Log>();
  private nextId = 1;

  private log(draftId: string): Log {
    let log = this.logs.get(draftId);
    if (log === undefined) {
      log = { snapshot: null, updates: [] };
      this.logs.set(draftId, log);
    }
    return log;
  }

  load(draftId: string): Promise<LoadedDraft> {
    const log = this.log(draftId);
    const updates = log.updates.map((u) => u.update);
    return Promise.resolve({
      state: mergeDraftLog({ snapshot: log.snapshot, updates }),
      uncompactedUpdates: updates.length,
      uncompactedBytes: updates.reduce((sum, u) => sum + u.byteLength, 0),
    });
  }

  append(draftId: string, updates: readonly StoredUpdate[]): Promise<void> {
    const log = this.log(draftId);
    for (const { update, authorId } of updates)
      log.updates.push({ id: this.nextId++, update: update.slice(), authorId });
    return Promise.resolve();
  }

  compact(draftId: string): Promise<Compaction> {
    const log = this.log(draftId);
    const folded = log.updates.length;
    if (folded === 0) return Promise.resolve({ folded: 0, snapshotBytes: log.snapshot?.byteLength ?? 0 });
    log.snapshot = compactState(
      log.snapshot,
      log.updates.map((u) => u.update),
    );
    log.updates = [];
    return Promise.resolve({ folded, snapshotBytes: log.snapshot.byteLength });
  }
}
