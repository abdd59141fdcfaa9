// The open rooms, one per draft (SPEC.md CO3, CO10): a joiner waits for the room to load, or for a
// room that is unloading to finish and then loads the fresh state. A room unloads when its last peer
// leaves. `stop` closes every peer and waits until every room has stored what it holds.
import { EventEmitter } from 'node:events';
import { CollabClose, type CollabCloseReason } from '@hearth/schema/drafts/collab-wire';
import type { Logger } from '../log';
import type { CollabConfig } from './config';
import { Room, type CollabEventMap, type CollabEvents, type Peer } from './room';
import type { RoomStore } from './store';

interface Entry {
  readonly loading: Promise<Room>;
  unloading?: Promise<void>;
}

export class RoomRegistry {
  readonly events: CollabEvents = new EventEmitter<CollabEventMap>();
  private readonly entries = new Map<string, Entry>();
  private stopping = false;

  constructor(private readonly deps: { store: RoomStore; config: CollabConfig; log: Logger }) {}

  /** The room of the draft, loaded, with `peer` in it (unless the peer closed while it waited). */
  async enter(draftId: string, peer: Peer): Promise<Room> {
    for (;;) {
      if (this.stopping) throw new Error('the collab server is stopping');
      let entry = this.entries.get(draftId);
      if (entry === undefined) entry = this.open(draftId);
      if (entry.unloading !== undefined) {
        await entry.unloading;
        continue;
      }
      const room = await entry.loading;
      if (!room.isOpen) continue;
      room.add(peer);
      return room;
    }
  }

  private open(draftId: string): Entry {
    const loading = Room.load(draftId, {
      ...this.deps,
      events: this.events,
      onEmpty: (room) => this.unload(room),
    });
    const entry: Entry = { loading };
    this.entries.set(draftId, entry);
    // A failed load leaves no entry behind: the next joiner tries again.
    loading.catch(() => {
      if (this.entries.get(draftId) === entry) this.entries.delete(draftId);
    });
    return entry;
  }

  private unload(room: Room): void {
    const entry = this.entries.get(room.draftId);
    if (entry === undefined || entry.unloading !== undefined) return;
    entry.unloading = room
      .unload()
      .catch((error: unknown) =>
        this.deps.log.error({ err: error, draftId: room.draftId }, 'collab: unload failed'),
      )
      .finally(() => {
        if (this.entries.get(room.draftId) === entry) this.entries.delete(room.draftId);
      });
  }

  /** The loaded room of a draft, if any (not one that is loading or unloading). */
  async roomOf(draftId: string): Promise<Room | undefined> {
    const entry = this.entries.get(draftId);
    if (entry === undefined || entry.unloading !== undefined) return undefined;
    const room = await entry.loading.catch(() => undefined);
    return room?.isOpen === true ? room : undefined;
  }

  get openRooms(): number {
    return this.entries.size;
  }

  /** CO8, CO10: every peer closed with `reason`, every room unloaded (updates stored). */
  async stop(reason: CollabCloseReason = CollabClose.serverStopping): Promise<void> {
    this.stopping = true;
    const entries = [...this.entries.values()];
    await Promise.all(
      entries.map(async (entry) => {
        const room = await entry.loading.catch(() => undefined);
        if (room === undefined) return;
        room.dropAll(reason);
        // A room nobody was in yet does not empty by itself.
        if (room.isOpen) this.unload(room);
      }),
    );
    await Promise.all([...this.entries.values()].flatMap((entry) => entry.unloading ?? []));
  }
}
