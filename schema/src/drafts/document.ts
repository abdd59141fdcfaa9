// A draft's text is one Yjs document (ARCHITECTURE.md "Drafts"), stored on the server as a snapshot
// (`draft_snapshots`) plus the updates that arrived after it (`draft_updates`). This file says how the
// document is laid out and reads its state through a `Tx`, for the collab rooms and for publishing.
import * as Y from 'yjs';
import type { Tx } from '../mutations/define';

/**
 * The document layout every editor agrees on: TipTap's Collaboration extension with
 * `field: 'content'`, i.e. the ProseMirror document is the `Y.XmlFragment` named `content`.
 */
export const DRAFT_CONTENT_FIELD = 'content';

/** The fragment holding the draft's rich text. */
export function draftContent(doc: Y.Doc): Y.XmlFragment {
  return doc.getXmlFragment(DRAFT_CONTENT_FIELD);
}

/** The content as XML (`<paragraph>…</paragraph>…`): for comparing documents and for tests. */
export function draftXml(doc: Y.Doc): string {
  return draftContent(doc).toJSON();
}

/** A fresh document holding `state` (an update as `readDraftState` returns it). */
export function draftDocument(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** The state of a document with nothing in it (a draft nobody typed into yet). */
export function emptyDraftState(): Uint8Array {
  return Y.encodeStateAsUpdate(new Y.Doc());
}

export interface DraftLog {
  /** The compacted document, or null before the first compaction. */
  readonly snapshot: Uint8Array | null;
  /** Updates with ids up to this one are folded into `snapshot`; null without a snapshot. */
  readonly throughUpdateId: bigint | null;
  /** The updates after the snapshot, oldest first. */
  readonly updates: readonly Uint8Array[];
  /** Their total size in bytes. */
  readonly updateBytes: number;
  /** The id of the newest stored update (in the snapshot or after it), null when there is none. */
  readonly lastUpdateId: bigint | null;
}

/**
 * What is stored for a draft: its snapshot and the updates after it, read in ONE statement so both come
 * from the same database snapshot (a compaction committing between two reads would drop updates from
 * view). Reads only, through the caller's `tx`.
 */
export async function readDraftLog(tx: Tx, draftId: string): Promise<DraftLog> {
  const { rows } = await tx.query<{ bytes: Uint8Array; id: string; is_snapshot: boolean }>(
    `select s.state as bytes, s.through_update_id as id, true as is_snapshot
       from draft_snapshots s
      where s.draft_id = $1
     union all
     select u.update, u.id, false
       from draft_updates u
      where u.draft_id = $1
        and u.id > coalesce((select through_update_id from draft_snapshots where draft_id = $1), 0)
     order by is_snapshot desc, id`,
    [draftId],
  );
  const first = rows[0];
  const snapshot = first?.is_snapshot === true ? first : undefined;
  const updates = snapshot === undefined ? rows : rows.slice(1);
  const last = rows[rows.length - 1];
  return {
    snapshot: snapshot?.bytes ?? null,
    throughUpdateId: snapshot === undefined ? null : BigInt(snapshot.id),
    updates: updates.map((row) => row.bytes),
    updateBytes: updates.reduce((sum, row) => sum + row.bytes.byteLength, 0),
    lastUpdateId: last === undefined ? null : BigInt(last.id),
  };
}

/** The log merged into one update (`Y.mergeUpdates`): the document as it stands. */
export function mergeDraftLog(log: Pick<DraftLog, 'snapshot' | 'updates'>): Uint8Array {
  const parts = log.snapshot === null ? [...log.updates] : [log.snapshot, ...log.updates];
  if (parts.length === 0) return emptyDraftState();
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  return Y.mergeUpdates(parts);
}

/**
 * The document state of a draft, read through `tx`: the snapshot and every later update merged into
 * one Yjs update. Apply it to a `Y.Doc` (`draftDocument`) and read `draftContent(doc)`. A draft with
 * nothing stored gives the empty document. Publishing calls this inside its own transaction.
 */
export async function readDraftState(tx: Tx, draftId: string): Promise<Uint8Array> {
  return mergeDraftLog(await readDraftLog(tx, draftId));
}
