// One draft's room (SPEC.md CO3–CO10): the Yjs document loaded from the store, the peers editing it,
// their presence. Transport-agnostic: a peer is anything that can be sent frames and closed.
// Store writes run one at a time on `io`, so appends, compactions and the final flush never overlap.
import type { EventEmitter } from 'node:events';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CollabClose, type CollabCloseReason } from '@hearth/schema/drafts/collab-wire';
import type { Logger } from '../log';
import type { CollabConfig } from './config';
import {
  decodeClientMessage,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  stampAwareness,
  type AwarenessEntry,
} from './messages';
import type { RoomStore, StoredUpdate } from './store';

export interface Peer {
  readonly userId: string;
  readonly displayName: string;
  /** True once the socket is closing or closed: the room never sends to it again. */
  readonly closed: boolean;
  /** `presence` frames may be skipped for a peer that reads too slowly (CO14); document frames never. */
  send(frame: Uint8Array, kind?: 'document' | 'presence'): void;
  close(reason: CollabCloseReason): void;
}

/** What rooms report, for logs, tests and the benchmark. */
export interface CollabEventMap {
  loaded: [{ draftId: string; ms: number }];
  stored: [{ draftId: string; updates: number }];
  compacted: [{ draftId: string; folded: number; snapshotBytes: number }];
  unloaded: [{ draftId: string }];
}
export type CollabEvents = EventEmitter<CollabEventMap>;

export interface RoomDeps {
  readonly store: RoomStore;
  readonly config: CollabConfig;
  readonly log: Logger;
  readonly events: CollabEvents;
  /** Called when the last peer left: the registry unloads the room. */
  readonly onEmpty: (room: Room) => void;
}

/** The origin of the transaction that applies the stored state: not a peer, so not stored again. */
const FROM_STORE = Symbol('from-store');

export class Room {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Each peer and the awareness client ids it introduced. */
  private readonly peers = new Map<Peer, Set<number>>();
  private readonly awarenessOwners = new Map<number, Peer>();
  private pending: StoredUpdate[] = [];
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private io: Promise<void> = Promise.resolve();
  /** Stored since the last compaction. */
  private uncompacted = { updates: 0, bytes: 0 };
  private phase: 'open' | 'unloading' | 'unloaded' = 'open';

  private constructor(
    readonly draftId: string,
    private readonly deps: RoomDeps,
  ) {
    // The server has no presence of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_STORE) return;
      const frame = encodeUpdate(update);
      for (const other of this.peers.keys()) if (other !== origin) other.send(frame);
      this.record({ update, authorId: this.peers.has(origin as Peer) ? (origin as Peer).userId : null });
    });
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
        const changed = added.concat(updated, removed);
        const frame = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
        // To the sender too, as y-websocket's own server does: a client alone in a room hears only its
        // echoed presence renewals, and y-websocket reconnects after 30 s without any message.
        for (const peer of this.peers.keys()) peer.send(frame, 'presence');
      },
    );
  }

  /** CO3: the stored document is in the room before the room exists for anyone. */
  static async load(draftId: string, deps: RoomDeps): Promise<Room> {
    const started = performance.now();
    const stored = await deps.store.load(draftId);
    const room = new Room(draftId, deps);
    Y.applyUpdate(room.doc, stored.state, FROM_STORE);
    room.uncompacted = { updates: stored.uncompactedUpdates, bytes: stored.uncompactedBytes };
    deps.events.emit('loaded', { draftId, ms: performance.now() - started });
    // A log that grew past the thresholds elsewhere (another process, a crash) is folded now.
    if (room.pastThreshold()) void room.compact();
    return room;
  }

  get isOpen(): boolean {
    return this.phase === 'open';
  }

  get peerCount(): number {
    return this.peers.size;
  }

  /** CO4: a peer joins; the room opens the sync with its state vector and shows who is here. */
  add(peer: Peer): void {
    if (this.phase !== 'open') throw new Error(`room ${this.draftId} is ${this.phase}`);
    if (peer.closed) {
      if (this.peers.size === 0) this.deps.onEmpty(this);
      return;
    }
    this.peers.set(peer, new Set());
    peer.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    const present = [...this.awareness.getStates().keys()];
    if (present.length > 0)
      peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, present)));
  }

  /** A peer left (or was closed): its presence goes, and the room empties when it was the last. */
  remove(peer: Peer): void {
    const owned = this.peers.get(peer);
    if (owned === undefined) return;
    this.peers.delete(peer);
    for (const id of owned) this.awarenessOwners.delete(id);
    if (owned.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
    if (this.peers.size === 0) this.deps.onEmpty(this);
  }

  /** CO2: closes every socket of this user (removed from the draft's authors). */
  dropUser(userId: string, reason: CollabCloseReason): void {
    for (const peer of [...this.peers.keys()]) if (peer.userId === userId) this.drop(peer, reason);
  }

  dropAll(reason: CollabCloseReason): void {
    for (const peer of [...this.peers.keys()]) this.drop(peer, reason);
  }

  private drop(peer: Peer, reason: CollabCloseReason): void {
    this.remove(peer);
    peer.close(reason);
  }

  /** CO4–CO7: one frame from a peer, decoded whole first; a bad one closes that peer only. */
  receive(peer: Peer, frame: Uint8Array): void {
    if (!this.peers.has(peer) || peer.closed) return;
    const decoded = decodeClientMessage(frame);
    if (!decoded.ok) {
      this.deps.log.debug({ draftId: this.draftId, problem: decoded.problem }, 'collab: malformed frame');
      this.drop(peer, CollabClose.malformedMessage);
      return;
    }
    const message = decoded.message;
    switch (message.kind) {
      case 'sync-step-1':
        peer.send(encodeSyncStep2(Y.encodeStateAsUpdate(this.doc, message.stateVector)));
        return;
      case 'sync-step-2':
      case 'update':
        try {
          Y.applyUpdate(this.doc, message.update, peer);
        } catch (error) {
          // Decoded fine but failed to integrate: refuse the peer; the error is worth a look.
          this.deps.log.warn({ err: error, draftId: this.draftId }, 'collab: an update failed to apply');
          this.drop(peer, CollabClose.malformedMessage);
        }
        return;
      case 'awareness':
        this.applyAwareness(peer, message.entries);
        return;
      case 'query-awareness': {
        const present = [...this.awareness.getStates().keys()];
        const frame = encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, present));
        peer.send(frame, 'presence');
        return;
      }
    }
  }

  /** CO7: only client ids this peer introduced (or new ones), each stamped with the session's user. */
  private applyAwareness(peer: Peer, entries: readonly AwarenessEntry[]): void {
    const owned = this.peers.get(peer);
    if (owned === undefined) return;
    const mine = entries.filter((entry) => {
      const owner = this.awarenessOwners.get(entry.clientId);
      return owner === undefined || owner === peer;
    });
    if (mine.length === 0) return;
    for (const entry of mine) {
      if (entry.state === null) {
        owned.delete(entry.clientId);
        this.awarenessOwners.delete(entry.clientId);
      } else {
        owned.add(entry.clientId);
        this.awarenessOwners.set(entry.clientId, peer);
      }
    }
    const stamped = stampAwareness(mine, peer);
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(stamped), peer);
  }

  /** CO8: kept for the store, written once per event-loop turn. */
  private record(update: StoredUpdate): void {
    this.pending.push(update);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
    if (this.phase === 'open') {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => void this.compactWhenIdle(), this.deps.config.compactIdleMs);
      this.idleTimer.unref();
    }
  }

  /** Writes what is pending; resolves when written (or when the write failed and a retry is set). */
  flush(): Promise<void> {
    this.io = this.io.then(() => this.writePending());
    return this.io;
  }

  private async writePending(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      await this.deps.store.append(this.draftId, batch);
    } catch (error) {
      // Kept in order in front of anything newer, and retried: an accepted keystroke is not dropped.
      this.pending = batch.concat(this.pending);
      this.deps.log.error(
        { err: error, draftId: this.draftId, updates: batch.length },
        'collab: could not store updates; retrying',
      );
      if (this.phase === 'open' && this.retryTimer === undefined) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          void this.flush();
        }, this.deps.config.retryMs);
        this.retryTimer.unref();
      }
      return;
    }
    this.uncompacted.updates += batch.length;
    this.uncompacted.bytes += batch.reduce((sum, u) => sum + u.update.byteLength, 0);
    this.deps.events.emit('stored', { draftId: this.draftId, updates: batch.length });
    if (this.pastThreshold()) await this.compactNow();
  }

  private pastThreshold(): boolean {
    const { compactAfterUpdates, compactAfterBytes } = this.deps.config;
    return this.uncompacted.updates >= compactAfterUpdates || this.uncompacted.bytes >= compactAfterBytes;
  }

  /** CO9: runs on `io`, after every write queued before it. */
  compact(): Promise<void> {
    this.io = this.io.then(() => this.compactNow());
    return this.io;
  }

  private async compactNow(): Promise<void> {
    if (this.uncompacted.updates === 0) return;
    try {
      const result = await this.deps.store.compact(this.draftId);
      this.uncompacted = { updates: 0, bytes: 0 };
      this.deps.events.emit('compacted', { draftId: this.draftId, ...result });
    } catch (error) {
      // The updates stay stored; the next trigger tries again.
      this.deps.log.error({ err: error, draftId: this.draftId }, 'collab: compaction failed');
    }
  }

  private async compactWhenIdle(): Promise<void> {
    await this.flush();
    await this.compact();
  }

  /** CO10: store what is pending, compact, and let go of the document. */
  async unload(): Promise<void> {
    if (this.phase !== 'open') return;
    this.phase = 'unloading';
    clearTimeout(this.idleTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flush();
    if (this.pending.length > 0) {
      // One more try (the retry timer no longer runs); after that they are lost, loudly.
      await this.flush();
      if (this.pending.length > 0)
        this.deps.log.error(
          { draftId: this.draftId, updates: this.pending.length },
          'collab: updates could not be stored before the room closed',
        );
    }
    await this.compact();
    this.awareness.destroy();
    this.doc.destroy();
    this.phase = 'unloaded';
    this.deps.events.emit('unloaded', { draftId: this.draftId });
  }
}
