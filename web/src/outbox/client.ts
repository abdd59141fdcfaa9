// What screens call to write (`mutate`) and to show the outbox's state; it wires the shared sender
// (./sender) to the browser: connectivity events, other tabs' new entries (BroadcastChannel), live
// queries on the outbox and on arriving receipts, and the signed-in identity from `/api/me`.
import type { MutationArgs, MutationName, SiteRole } from '@hearth/schema/mutations/index';
import type { Replica } from '../db/replica';
import { httpTransport, OutboxSender, startSharedSender, type SharedSender } from './sender';
import { INITIAL_SENDER, statusLabel, type SenderPhase, type StatusLabel } from './state';
import {
  dismissRejected,
  enqueueMutation,
  OUTBOX_STATUS_SQL,
  readIdentity,
  RECEIPTS_TO_SETTLE_SQL,
  writeIdentity,
  type Identity,
  type OutboxCounts,
  type RejectedEntry,
} from './store';

/** Tabs tell each other about new entries and sign-ins, so the one sender wakes (OB10). */
export const OUTBOX_CHANNEL = 'hearth-outbox';
type ChannelMessage = { readonly type: 'enqueued' } | { readonly type: 'signed-in' };

export interface OutboxStatus {
  /** False until the replica is open and the outbox has been read once. */
  readonly ready: boolean;
  readonly online: boolean;
  /** Changes made here and not yet answered by the server (pending + sending). */
  readonly pending: number;
  /** Changes the server refused, with why, until dismissed. */
  readonly rejected: readonly RejectedEntry[];
  /** This tab's sender; tabs that do not hold the sender lock stay `idle`. */
  readonly sender: SenderPhase;
  readonly label: StatusLabel;
}

export interface HearthClient {
  /** [OB1] Applies the mutation locally (overlay + outbox, one transaction); resolves once visible. */
  readonly mutate: <N extends MutationName>(name: N, args: MutationArgs<N>) => Promise<{ id: string }>;
  /** [OB6] The user has read why a change was refused. */
  readonly dismissRejected: (id: string) => Promise<void>;
  /** Asks the server who is signed in and remembers it on this device (offline: the last answer). */
  readonly refreshIdentity: () => Promise<Identity | null>;
  readonly subscribe: (listener: () => void) => () => void;
  readonly getStatus: () => OutboxStatus;
  readonly replica: Promise<Replica>;
  readonly close: () => Promise<void>;
}

export interface HearthClientOptions {
  readonly fetch?: typeof fetch;
  readonly locks?: LockManager;
}

interface MeAnswer {
  user?: { id?: unknown };
  roles?: { site?: unknown };
}

function identityOf(body: MeAnswer): Identity | null {
  const userId = body.user?.id;
  const site = body.roles?.site;
  if (typeof userId !== 'string' || (site !== 'member' && site !== 'moderator')) return null;
  return { userId, siteRole: site satisfies SiteRole };
}

export function createHearthClient(
  replica: Promise<Replica>,
  options: HearthClientOptions = {},
): HearthClient {
  const fetchImpl = options.fetch ?? fetch.bind(globalThis);
  const listeners = new Set<() => void>();
  const channel = new BroadcastChannel(OUTBOX_CHANNEL);
  let counts: OutboxCounts | null = null;
  let sender: SenderPhase = INITIAL_SENDER.phase;
  let status = computeStatus();
  let shared: SharedSender | null = null;
  const cleanups: (() => Promise<void> | void)[] = [];

  function computeStatus(): OutboxStatus {
    const online = navigator.onLine;
    const pending = counts?.pending ?? 0;
    const rejected = counts?.rejected ?? [];
    return {
      ready: counts !== null,
      online,
      pending,
      rejected,
      sender,
      label: statusLabel({ online, pending, rejected: rejected.length }),
    };
  }

  function changed(): void {
    status = computeStatus();
    for (const listener of listeners) listener();
  }

  const onOnline = () => {
    shared?.sender.poke({ type: 'online' });
    changed();
  };
  const onOffline = () => {
    shared?.sender.poke({ type: 'offline' });
    changed();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  channel.addEventListener('message', (event: MessageEvent<ChannelMessage>) => {
    shared?.sender.poke(event.data.type === 'signed-in' ? { type: 'signed-in' } : { type: 'poke' });
  });
  cleanups.push(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    channel.close();
  });

  const started = replica.then(async ({ db }) => {
    const outboxLive = await db.live.query<OutboxCounts>(OUTBOX_STATUS_SQL, [], (results) => {
      counts = results.rows[0] ?? { pending: 0, rejected: [] };
      changed();
    });
    counts = outboxLive.initialResults.rows[0] ?? { pending: 0, rejected: [] };
    changed();
    cleanups.push(() => outboxLive.unsubscribe());

    const outboxSender = new OutboxSender({
      db,
      transport: httpTransport(fetchImpl),
      online: () => navigator.onLine,
      onState: (state) => {
        if (state.phase === sender) return;
        sender = state.phase;
        changed();
      },
      onError: (error) => console.error('Hearth outbox sender:', error),
      // [OB13] Receipts that sync writes settle their entries as they land.
      watchReceipts: async (arrived) => {
        const receipts = await db.live.query(RECEIPTS_TO_SETTLE_SQL, [], (results) => {
          if (results.rows.length > 0) arrived();
        });
        if (receipts.initialResults.rows.length > 0) arrived();
        return () => receipts.unsubscribe();
      },
    });
    shared = startSharedSender(outboxSender, options.locks ?? navigator.locks);
    cleanups.push(() => shared?.stop());
  });
  // A replica that fails to open is reported by the shell (useReplicaStatus); nothing to send then.
  started.catch(() => undefined);

  return {
    replica,
    async mutate(name, args) {
      const opened = await replica;
      const { db } = opened;
      const result = await enqueueMutation(db, {
        name,
        args,
        identity: await readIdentity(db),
        now: new Date(),
      });
      // [OB16] The replica flushes lazily (db/STORAGE.md); an accepted change is in storage before
      // `mutate` resolves, so a reload or a crash right after it keeps it. Should storage not confirm,
      // the change still stands here and is sent while this tab lives.
      await opened
        .flush()
        .catch((error: unknown) => console.warn('Hearth: a change is not stored on this device yet:', error));
      shared?.sender.poke();
      channel.postMessage({ type: 'enqueued' } satisfies ChannelMessage);
      return result;
    },
    async dismissRejected(id) {
      await dismissRejected((await replica).db, id);
    },
    async refreshIdentity() {
      const { db } = await replica;
      let response: Response;
      try {
        response = await fetchImpl('/api/me', { credentials: 'same-origin' });
      } catch {
        return readIdentity(db); // offline: who signed in here last
      }
      if (!response.ok) return response.status === 401 ? null : readIdentity(db);
      const identity = identityOf((await response.json()) as MeAnswer);
      if (identity === null) return readIdentity(db);
      await writeIdentity(db, identity);
      shared?.sender.poke({ type: 'signed-in' });
      channel.postMessage({ type: 'signed-in' } satisfies ChannelMessage);
      return identity;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getStatus: () => status,
    async close() {
      await started.catch(() => undefined);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}
