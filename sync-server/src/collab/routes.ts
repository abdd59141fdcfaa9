// The collab endpoint (SPEC.md CO1–CO2, CO5–CO6, CO13–CO14): `GET /collab/<draftId>` upgraded to a WebSocket on
// the same Fastify server, through @fastify/websocket. Every refusal is a close with a typed reason
// from schema's CollabClose (a browser cannot read the status of a refused upgrade; it can read a
// close code), sent before any byte of the document.
import { EventEmitter } from 'node:events';
import { ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { WebSocket, type RawData } from 'ws';
import { COLLAB_PATH, CollabClose, type CollabCloseReason } from '@hearth/schema/drafts/collab-wire';
import { ErrorCode, type ErrorBody } from '@hearth/schema/errors';
import { requestOriginAllowed, resolveSession, type AuthConfig } from '../auth';
import type { Logger } from '../log';
import { findAuthor } from './authors';
import { sendDecision } from './backpressure';
import { transportLimit, type CollabConfig } from './config';
import { assertListensOn, watchDatabase, type DbWatch } from '../db/watch';
import {
  AUTHOR_GONE_CHANNEL,
  COLLAB_CHANNELS,
  parseAuthorGone,
  parseSessionEnded,
  SESSION_ENDED_CHANNEL,
} from './notifications';
import { PostgresRoomStore } from './pg-store';
import type { CollabEvents, Peer, Room } from './room';
import { RoomRegistry } from './rooms';
import { checkSession, expiryDelay } from './session-check';
import type { RoomStore } from './store';

export interface CollabDeps {
  readonly pool: pg.Pool;
  /** For the LISTEN connection of the author and session watch, when `watch` is not given. */
  readonly databaseUrl: string;
  /** A database watch shared with others, listening on COLLAB_CHANNELS; not stopped by `stop()`. */
  readonly watch?: DbWatch;
  readonly config: CollabConfig;
  readonly auth: AuthConfig;
  readonly log: Logger;
  /** Defaults to Postgres (draft_updates, draft_snapshots). */
  readonly store?: RoomStore;
  /** When a session's expiry is due (CO13); defaults to the system clock. */
  readonly clock?: () => Date;
}

export interface CollabService {
  /** Registers @fastify/websocket and the endpoint; pass to buildApp's `routes`. */
  readonly routes: (app: FastifyInstance) => Promise<void>;
  readonly rooms: RoomRegistry;
  readonly events: CollabEvents;
  /** Every socket the server closed with a typed reason after admission (CO2, CO13, CO14): for logs and tests. */
  readonly closes: EventEmitter<{ closed: [ServerClose] }>;
  /** After the HTTP server closed: closes what is left, stores every room, ends the LISTEN connection. */
  stop(): Promise<void>;
}

export interface ServerClose {
  readonly draftId: string;
  readonly userId: string;
  readonly reason: CollabCloseReason;
}

/** `/collab` and below, whatever the query. */
function isCollabPath(url: string | undefined): boolean {
  const path = url?.split('?', 1)[0] ?? '';
  return path === COLLAB_PATH || path.startsWith(`${COLLAB_PATH}/`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Dead TCP connections (no pong within this) are cut, so their rooms can unload. */
const PING_INTERVAL_MS = 30_000;

/** One socket: a peer of a room once admitted; frames that arrive before that wait, bounded. */
class Connection implements Peer {
  userId = '';
  sessionId = '';
  displayName = '';
  closed = false;
  alive = true;
  /** CO13: when the session's expiry is looked at. */
  expiryTimer: NodeJS.Timeout | undefined;
  private room: Room | undefined;
  private early: Uint8Array[] = [];
  private earlyBytes = 0;

  constructor(
    readonly socket: WebSocket,
    readonly draftId: string,
    private readonly config: CollabConfig,
    private readonly onClose: (connection: Connection, reason: CollabCloseReason) => void,
  ) {}

  /**
   * CO14: what the socket still holds unsent (ws's queue + the TCP stream's buffer) bounds what we
   * add: past `slowClientBytes` presence is skipped, past `tooSlowBytes` the socket is closed.
   */
  send(frame: Uint8Array, kind: 'document' | 'presence' = 'document'): void {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return;
    const decision = sendDecision(this.socket.bufferedAmount, frame.byteLength, kind, this.config);
    if (decision === 'close') return this.close(CollabClose.tooSlow);
    if (decision === 'send') this.socket.send(frame);
  }

  close(reason: CollabCloseReason): void {
    if (this.closed) return;
    this.ended();
    this.onClose(this, reason);
    // Queued behind what the socket already holds; ws cuts the socket if the close is not answered.
    this.socket.close(reason.code, reason.reason);
  }

  /** The socket is gone (closed by either side, or cut). */
  ended(): void {
    this.closed = true;
    this.early = [];
    clearTimeout(this.expiryTimer);
    this.room?.remove(this);
  }

  /** CO5, CO6: only whole binary frames within the limit go any further. */
  frame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) return this.close(CollabClose.malformedMessage);
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (bytes.byteLength > this.config.maxMessageBytes) return this.close(CollabClose.messageTooLarge);
    if (this.room !== undefined) return this.room.receive(this, bytes);
    this.earlyBytes += bytes.byteLength;
    if (this.earlyBytes > this.config.maxMessageBytes) return this.close(CollabClose.messageTooLarge);
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
  const clock = deps.clock ?? (() => new Date());
  const rooms = new RoomRegistry({ store: deps.store ?? new PostgresRoomStore(pool), config, log });
  const closes = new EventEmitter<{ closed: [ServerClose] }>();
  /** Admitted (or being admitted) connections by draft and by session: whom a removal or sign-out must reach. */
  const byDraft = new Map<string, Set<Connection>>();
  const bySession = new Map<string, Set<Connection>>();
  let stopping = false;

  const add = (index: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    let set = index.get(key);
    if (set === undefined) index.set(key, (set = new Set()));
    set.add(connection);
  };
  const drop = (index: Map<string, Set<Connection>>, key: string, connection: Connection) => {
    const set = index.get(key);
    set?.delete(connection);
    if (set?.size === 0) index.delete(key);
  };
  const track = (connection: Connection) => {
    add(byDraft, connection.draftId, connection);
    add(bySession, connection.sessionId, connection);
  };
  const untrack = (connection: Connection) => {
    drop(byDraft, connection.draftId, connection);
    drop(bySession, connection.sessionId, connection);
  };

  /** CO13: closes the socket when its session is no longer live; else looks again at the new expiry. */
  const recheckSession = async (connection: Connection): Promise<void> => {
    const check = await checkSession(pool, connection.sessionId, clock());
    if (!check.live) connection.close(CollabClose.sessionRevoked);
    else if (!connection.closed) watchExpiry(connection, check.expiresAt);
  };
  const watchExpiry = (connection: Connection, expiresAt: Date) => {
    clearTimeout(connection.expiryTimer);
    connection.expiryTimer = setTimeout(
      () => {
        recheckSession(connection).catch((error: unknown) =>
          log.warn({ err: error }, 'collab: session re-check failed'),
        );
      },
      expiryDelay(expiresAt, clock()),
    );
    connection.expiryTimer.unref();
  };

  const ownsWatch = deps.watch === undefined;
  const watch =
    deps.watch ?? (await watchDatabase({ databaseUrl: deps.databaseUrl, log, channels: COLLAB_CHANNELS }));
  assertListensOn(watch, COLLAB_CHANNELS, 'collab');
  const unsubscribe = watch.subscribe({
    notification: (channel, payload) => {
      if (channel === AUTHOR_GONE_CHANNEL) {
        const gone = parseAuthorGone(payload);
        if (gone === null) return log.warn({ channel, payload }, 'collab: unexpected notification');
        for (const connection of byDraft.get(gone.draftId) ?? [])
          if (connection.userId === gone.userId) connection.close(CollabClose.notAnAuthor);
      } else if (channel === SESSION_ENDED_CHANNEL) {
        const ended = parseSessionEnded(payload);
        if (ended === null) return log.warn({ channel, payload }, 'collab: unexpected notification');
        for (const connection of bySession.get(ended.sessionId) ?? [])
          connection.close(CollabClose.sessionRevoked);
      }
    },
    resync: () => {
      const open = [...byDraft.values()].flatMap((set) => [...set]);
      void Promise.all(
        open.map(async (connection) => {
          const author = await findAuthor(pool, connection.draftId, connection.userId);
          if (author === null) return connection.close(CollabClose.notAnAuthor);
          await recheckSession(connection);
        }),
      ).catch((error: unknown) => log.warn({ err: error }, 'collab: author and session re-check failed'));
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
    connection.sessionId = session.sessionId;
    // Tracked before the checks: a removal or a sign-out that commits after them still finds this socket.
    track(connection);
    // CO13: a sign-out that committed between the cookie's check and `track` sent its NOTIFY to no one.
    const stillLive = await checkSession(pool, session.sessionId, clock());
    if (!stillLive.live) return connection.close(CollabClose.sessionRevoked);
    watchExpiry(connection, stillLive.expiresAt);
    const author = await findAuthor(pool, connection.draftId, session.userId);
    if (author === null) return connection.close(CollabClose.notAnAuthor);
    connection.displayName = author.displayName;
    if (connection.closed) return;
    connection.joined(await rooms.enter(connection.draftId, connection));
  };

  const wsHandler = (socket: WebSocket, request: FastifyRequest) => {
    const { draftId = '' } = request.params as { draftId?: string };
    const connection = new Connection(socket, draftId, config, (closed, reason) => {
      if (closed.userId !== '') closes.emit('closed', { draftId, userId: closed.userId, reason });
    });
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
    // CO15: @fastify/websocket hooks onRequest and onResponse on every route of the scope it is
    // registered in. In a scope of its own it costs /collab only, and it hears only /collab upgrades;
    // any other upgrade is answered by its route and its socket closed after, as the plugin did.
    const collabUpgrades = new EventEmitter();
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (isCollabPath(request.url)) {
        collabUpgrades.emit('upgrade', request, socket, head);
        return;
      }
      socket.on('error', () => socket.destroy());
      const response = new ServerResponse(request);
      response.assignSocket(socket as Socket);
      response.once('finish', () => socket.destroy());
      app.routing(request, response);
    };
    app.server.on('upgrade', onUpgrade);
    app.addHook('onClose', (_instance, done) => {
      app.server.off('upgrade', onUpgrade);
      done();
    });
    await app.register(async (scope) => {
      await scope.register(fastifyWebsocket, {
        // The plugin listens for upgrades on `server`: the /collab ones onUpgrade passes on.
        options: { maxPayload: transportLimit(config), server: collabUpgrades as unknown as Server },
        // Socket errors (a frame past the transport limit, a reset) already close the socket.
        errorHandler: (error) => log.debug({ err: error }, 'collab: socket error'),
        preClose: (done) => {
          stopping = true;
          for (const set of byDraft.values()) for (const c of set) c.close(CollabClose.serverStopping);
          scope.websocketServer.close(() => done());
        },
      });
      scope.route({ method: 'GET', url: `${COLLAB_PATH}/:draftId`, handler: httpHandler, wsHandler });
    });
  };

  return {
    routes,
    rooms,
    events: rooms.events,
    closes,
    stop: async () => {
      stopping = true;
      clearInterval(pinger);
      await rooms.stop();
      unsubscribe();
      if (ownsWatch) await watch.stop();
    },
  };
}
