// Where a room keeps its document (SPEC.md CO8–CO9, CO12): an append-only log of updates folded into a
// snapshot now and then. Two implementations, memory and Postgres, held to one contract
// (store-contract.ts). `compactState` is the fold both use.
import * as Y from 'yjs';

export interface StoredUpdate {
  readonly update: Uint8Array;
  /** Who sent it; null when unknown (stored before the author's account was erased). */
  readonly authorId: string | null;
}

export interface LoadedDraft {
  /** Snapshot and later updates as one Yjs update. */
  readonly state: Uint8Array;
  /** Updates stored after the snapshot: what the next compaction folds. */
  readonly uncompactedUpdates: number;
  readonly uncompactedBytes: number;
}

export interface Compaction {
  /** How many updates went into the snapshot (0: nothing to do). */
  readonly folded: number;
  readonly snapshotBytes: number;
}

export interface RoomStore {
  load(draftId: string): Promise<LoadedDraft>;
  /** Appends in order; all or none. */
  append(draftId: string, updates: readonly StoredUpdate[]): Promise<void>;
  /** Folds the snapshot and every update stored so far into a new snapshot and drops those updates. */
  compact(draftId: string): Promise<Compaction>;
}

/**
 * The fold: a document with the snapshot and the updates applied, encoded whole. Through a `Y.Doc`
 * (not `Y.mergeUpdates`) so deleted content is garbage-collected and the snapshot stays small.
 */
export function compactState(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true });
  try {
    if (snapshot !== null) Y.applyUpdate(doc, snapshot);
    // One merged update applies much faster than thousands of small ones.
    if (updates.length > 0)
      Y.applyUpdate(doc, updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates]));
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
