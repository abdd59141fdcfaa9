// The collab endpoint (SPEC.md CO1–CO2, CO5–CO6): `GET /collab/<draftId>` upgraded to a WebSocket on
// the same Fastify server, through @fastify/websocket. Every refusal is a close with a typed reason
// from schema's CollabClose (a browser cannot read the status of a refused upgrade; it can read a
// close code), sent before any byte of the document.
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { WebSocket, type RawData } from 'ws';
import { COLLAB_PATH, CollabClose, type CollabCloseReason } from '@hearth/schema/drafts/collab-wire';
import { ErrorCode, type ErrorBody } from '@hearth/schema/errors';
import { requestOriginAllowed, resolveSession, type AuthConfig } from '../auth';
import type { Logger } from '../log';
import { watchAuthors, type AuthorWatch } from './author-watch';
import { findAuthor } from './authors';
import { transportLimit, type CollabConfig } from './config';
import { PostgresRoomStore } from './pg-store';
import type { CollabEvents, Peer, Room } from './room';
import { RoomRegistry } from './rooms';
import type { RoomStore } from './store';

export interface CollabDeps {
  readonly pool: pg.Pool;
  /** For the LISTEN connection of the author watch. */
  readonly databaseUrl: string;
  readonly config: CollabConfig;
  readonly auth: AuthConfig;
  readonly log: Logger;
  /** Defaults to Postgres (draft_updates, draft_snapshots). */
  readonly store?: RoomStore;
}

export interface CollabService {
  /** Registers @fastify/websocket and the endpoint; pass to buildApp's `routes`. */
  readonly routes: (app: FastifyInstance) => Promise<void>;
  readonly rooms: RoomRegistry;
  readonly events: CollabEvents;
  /** After the HTTP server closed: closes what is left, stores every room, ends the LISTEN connection. */
  stop(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Dead TCP connections (no pong within this) are cut, so their rooms can unload. */
const PING_INTERVAL_MS = 30_000;

/** One socket: a peer of a room once admitted; frames that arrive before that wait, bounded. */
class Connection implements Peer {
  userId = '';
  displayName = '';
  closed = false;
  alive = true;
  private room: Room | undefined;
  private early: Uint8Array[] = [];
  private earlyBytes = 0;

  constructor(
    readonly socket: WebSocket,
    readonly draftId: string,
    private readonly maxMessageBytes: number,
  ) {}

  send(frame: Uint8Array): void {
    if (!this.closed && this.socket.readyState === WebSocket.OPEN) this.socket.send(frame);
  }

  close(reason: CollabCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.early = [];
    this.room?.remove(this);
    this.socket.close(reason.code, reason.reason);
  }

  /** The socket is gone (closed by either side, or cut). */
  ended(): void {
    this.closed = true;
    this.early = [];
    this.room?.remove(this);
  }

  /** CO5, CO6: only whole binary frames within the limit go any further. */
  frame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) return this.close(CollabClose.malformedMessage);
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (bytes.byteLength > this.maxMessageBytes) return this.close(CollabClose.messageTooLarge);
    if (this.room !== undefined) return this.room.receive(this, bytes);
    this.earlyBytes += bytes.byteLength;
    if (this.earlyBytes > this.maxMessageBytes) return this.close(CollabClose.messageTooLarge);
    this.early.push(bytes);
  }

  /** CO3: in the room, which has its stored state: now the early frames are answered, in order. */
  joined(room: Room): void {
    if (this.closed) return room.remove(this);
    this.room = room;
    const early = this.early;
    this.early = [];
    for (const bytes of early) {
      if (this.closed) break;
      room.receive(this, bytes);
    }
  }
}

export async function startCollab(deps: CollabDeps): Promise<CollabService> {
  const { pool, config, log } = deps;
  const rooms = new RoomRegistry({ store: deps.store ?? new PostgresRoomStore(pool), config, log });
  /** Admitted (or being admitted) connections by draft: whom a removal must reach. */
  const byDraft = new Map<string, Set<Connection>>();
  let stopping = false;

  const track = (connection: Connection) => {
    let set = byDraft.get(connection.draftId);
    if (set === undefined) byDraft.set(connection.draftId, (set = new Set()));
    set.add(connection);
  };
  const untrack = (connection: Connection) => {
    const set = byDraft.get(connection.draftId);
    set?.delete(connection);
    if (set?.size === 0) byDraft.delete(connection.draftId);
  };

  const watch: AuthorWatch = await watchAuthors({
    databaseUrl: deps.databaseUrl,
    log,
    onGone: (draftId, userId) => {
      for (const connection of byDraft.get(draftId) ?? [])
        if (connection.userId === userId) connection.close(CollabClose.notAnAuthor);
    },
    onResync: () => {
      const open = [...byDraft.values()].flatMap((set) => [...set]);
      void Promise.all(
        open.map(async (connection) => {
          const author = await findAuthor(pool, connection.draftId, connection.userId);
          if (author === null) connection.close(CollabClose.notAnAuthor);
        }),
      ).catch((error: unknown) => log.warn({ err: error }, 'collab: author re-check failed'));
    },
  });

  const pinger = setInterval(() => {
    for (const set of byDraft.values())
      for (const connection of set) {
        if (!connection.alive) {
          connection.socket.terminate();
          continue;
        }
        connection.alive = false;
        connection.socket.ping();
      }
  }, PING_INTERVAL_MS);
  pinger.unref();

  /** CO1: origin, draft id, session, authorship, in that order; then the room. */
  const admit = async (connection: Connection, request: FastifyRequest): Promise<void> => {
    if (stopping) return connection.close(CollabClose.serverStopping);
    if (!requestOriginAllowed(request, deps.auth)) return connection.close(CollabClose.originRefused);
    if (!UUID.test(connection.draftId)) return connection.close(CollabClose.draftNotFound);
    const session = await resolveSession(request);
    if (session === null) return connection.close(CollabClose.unauthenticated);
    connection.userId = session.userId;
    // Tracked before the check: a removal that commits after the check still finds this socket.
    track(connection);
    const author = await findAuthor(pool, connection.draftId, session.userId);
    if (author === null) return connection.close(CollabClose.notAnAuthor);
    connection.displayName = author.displayName;
    if (connection.closed) return;
    connection.joined(await rooms.enter(connection.draftId, connection));
  };

  const wsHandler = (socket: WebSocket, request: FastifyRequest) => {
    const { draftId = '' } = request.params as { draftId?: string };
    const connection = new Connection(socket, draftId, config.maxMessageBytes);
    // Listeners first, synchronously: nothing the client sends while it is admitted is lost.
    socket.on('message', (data, isBinary) => connection.frame(data, isBinary));
    socket.on('pong', () => (connection.alive = true));
    socket.on('close', () => {
      connection.ended();
      untrack(connection);
    });
    admit(connection, request).catch((error: unknown) => {
      log.error({ err: error, draftId }, 'collab: could not admit a socket');
      connection.close(CollabClose.unavailable);
    });
  };

  const httpHandler = (_request: FastifyRequest, reply: FastifyReply) => {
    const body: ErrorBody = {
      code: ErrorCode.badRequest,
      message: `${COLLAB_PATH}/<draftId> is a WebSocket endpoint (y-websocket); open it with a WebSocket client.`,
    };
    return reply.code(426).header('upgrade', 'websocket').send(body);
  };

  const routes = async (app: FastifyInstance) => {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: transportLimit(config) },
      // Socket errors (a frame past the transport limit, a reset) already close the socket.
      errorHandler: (error) => log.debug({ err: error }, 'collab: socket error'),
      preClose: (done) => {
        stopping = true;
        for (const set of byDraft.values()) for (const c of set) c.close(CollabClose.serverStopping);
        app.websocketServer.close(() => done());
      },
    });
    app.route({ method: 'GET', url: `${COLLAB_PATH}/:draftId`, handler: httpHandler, wsHandler });
  };

  return {
    routes,
    rooms,
    events: rooms.events,
    stop: async () => {
      stopping = true;
      clearInterval(pinger);
      await rooms.stop();
      await watch.stop();
    },
  };
}
