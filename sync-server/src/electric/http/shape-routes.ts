// The HTTP surface of the shape engine, Electric's Shape API v1 (SPEC.md SE33–SE37, SE49, SE53–SE56, SE59–SE60;
// protocol doc §2): GET /v1/shape (initial, catch-up, long-poll, SSE), DELETE and OPTIONS /v1/shape,
// GET /v1/health. The protocol rules are the pure core's (caching.ts, messages.ts, offset.ts); this
// file reads the log and writes them out.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '@hearth/schema/errors';
import type { ShapeConfig } from '../../config';
import { cacheControl, etag, ifNoneMatchHits, nextCursor, type CacheConfig } from '../caching';
import { parseRelation } from '../identifiers';
import { MUST_REFETCH_BODY, responseBody, upToDateLsn, upToDateMessage } from '../messages';
import { BEFORE_ALL, compareOffsets, formatOffset, type LogOffset } from '../offset';
import {
  validateKnownDefinitionRequest,
  validateShapeDefinition,
  validateShapeRequest,
  paramsFromQuery,
  type InvalidRequest,
  type Query,
  type ShapeDefinition,
  type ShapeRequest,
  type Validated,
} from '../shape-request';
import { isShapeNotFound } from '../storage/errors';
import type { ReadResult, WaitSignal } from '../storage/store';
import { ENGINE_REASONS, ShapeEngineError } from '../engine/errors';
import type { ShapeEngine, ShapeView } from '../engine/shape-engine';
import {
  OUT_OF_BOUNDS_BODY,
  UNAUTHORIZED_BODY,
  corsHeaders,
  definitionCacheKey,
  preflightHeaders,
  secretChecker,
} from './headers';

export interface ShapeRouteOptions {
  readonly engine: ShapeEngine;
  readonly config: ShapeConfig;
  readonly cache?: Partial<CacheConfig>;
  /** Live requests held at once before new ones get 503 (SE55). Default 20,000. */
  readonly maxHeldRequests?: number;
  /** Seconds a 503 asks the client to wait. Default 5. */
  readonly retryAfterSeconds?: number;
  /** SSE: a comment line after this much silence (protocol doc §2.10). Default 21 s. */
  readonly sseKeepAliveMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

type Headers = Record<string, string>;

/** A log read and the watermark taken just before it. */
interface Snapshot {
  readonly read: ReadResult;
  readonly watermark: bigint;
}

/** A shared read in flight, with the watermark taken before it started. */
interface InflightRead {
  readonly watermark: bigint;
  readonly snapshot: Promise<Snapshot>;
}

/**
 * A live data response, built once per shared read and written to every held request it answers:
 * the requests an append wakes differ at most in Origin and the cursor they sent (SE27), so those
 * key it. `raw` is the flat `[name, value, …]` list `writeHead` takes, CORS and length included.
 */
interface LiveResponse {
  readonly headers: Headers;
  readonly raw: readonly string[];
  readonly body: Buffer;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The CORS headers of a request without Origin (a server, a native app): the same every time. */
const CORS_ANY_ORIGIN: Readonly<Headers> = corsHeaders(undefined);

/**
 * A held live request's wait signal: aborted when its client goes away or the server closes. An
 * AbortController (an EventTarget) per held request showed in profiles at 1,000 held requests; a
 * wait needs only `aborted` and one listener at a time.
 */
class HeldRequest implements WaitSignal {
  aborted = false;
  private readonly listeners: (() => void)[] = [];

  /**
   * Aborted when the response closes: a bound method, not a closure made (and named, by tsx) per
   * request. Never taken off: once the request is released, a late abort finds no listener.
   */
  constructor(response: ServerResponse) {
    response.on('close', this.abort.bind(this));
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.listeners.splice(0)) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.listeners.indexOf(listener);
    if (at >= 0) this.listeners.splice(at, 1);
  }
}

/**
 * The highest commit LSN a response built from `read` carries, besides the watermark: its last
 * entry's (data `lsn` headers) when it has entries, else the log's tail (what a live up-to-date
 * announces: a client resuming an SSE stream at `(tail + 1)_0` is told the tail, SE54).
 */
function readTail(read: ReadResult): bigint {
  const lsn =
    read.entries.length > 0 || read.tail.tx > read.lastOffset.tx ? read.lastOffset.tx : read.tail.tx;
  return lsn > 0n ? lsn : 0n;
}

function readKey(shape: ShapeView, since: LogOffset): string {
  return `${shape.handle}|${formatOffset(since)}`;
}

/** Offsets up to `(tail lsn + 1)_0` are in bounds: that is what an SSE up-to-date hands out (SE54). */
function withinBounds(offset: LogOffset, tail: LogOffset | undefined): boolean {
  return tail !== undefined && compareOffsets(offset, { tx: (tail.tx < 0n ? 0n : tail.tx) + 1n, op: 0 }) <= 0;
}

export function shapeRoutes(options: ShapeRouteOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const shapes = new ShapeHttp(options);
    // Polls are the steady state (a thousand held clients answer every write): two info lines per poll
    // would cost more than the poll. Warnings and errors are still logged.
    app.get('/v1/shape', { logLevel: 'warn' }, (request, reply) => shapes.get(request, reply));
    app.delete('/v1/shape', (request, reply) => shapes.delete(request, reply));
    app.options('/v1/shape', (request, reply) => shapes.preflight(request, reply));
    app.get('/v1/health', (request, reply) => shapes.health(request, reply));
    // Held requests end when the server closes, or close() would wait out their long poll.
    app.addHook('preClose', (done) => {
      shapes.closeHeld();
      done();
    });
    await Promise.resolve();
  };
}

class ShapeHttp {
  private readonly engine: ShapeEngine;
  private readonly cacheConfig: CacheConfig;
  private readonly definitions = new LRUCache<string, ShapeDefinition>({ max: 2000 });
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly inflight = new Map<string, InflightRead>();
  /** Live reads done, by (handle, since): valid while the shape's tail is the one they read to (SE60). */
  private readonly settled = new LRUCache<string, Snapshot>({
    max: 1000,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: ({ read }) => read.entries.reduce((sum, entry) => sum + entry.length, 1),
  });
  private readonly bodies = new WeakMap<ReadResult, Map<string, string>>();
  private readonly liveBodies = new WeakMap<ReadResult, Map<string, Buffer>>();
  private readonly liveResponses = new WeakMap<ReadResult, Map<string, LiveResponse>>();
  private held = 0;
  private uniqueTag = 0n;
  private readonly holding = new Set<HeldRequest>();
  private closing = false;
  private readonly secretAccepted: (query: Query) => boolean;

  constructor(private readonly options: ShapeRouteOptions) {
    this.engine = options.engine;
    this.secretAccepted = secretChecker(options.config.secret);
    this.cacheConfig = { maxAgeSeconds: 60, staleAgeSeconds: 300, sseTimeoutMs: 60_000, ...options.cache };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  closeHeld(): void {
    this.closing = true;
    for (const held of this.holding) held.abort();
  }

  /** The wait signal of a held request: the client going away, or the server closing. */
  private hold(reply: FastifyReply): HeldRequest {
    const held = new HeldRequest(reply.raw);
    this.holding.add(held);
    this.held++;
    return held;
  }

  private release(held: HeldRequest): void {
    this.held--;
    this.holding.delete(held);
  }

  // ---- GET /v1/shape ----

  async get(request: FastifyRequest, reply: FastifyReply, retried = false): Promise<FastifyReply> {
    const query = request.query as Query;
    const origin = request.headers.origin;
    void reply.headers(origin === undefined ? CORS_ANY_ORIGIN : corsHeaders(origin));
    if (!this.secretAccepted(query)) return this.unauthorized(reply);
    if (!this.engine.ready || this.closing) {
      return this.unavailable(reply, 'The shape engine is starting or stopping; retry shortly.');
    }
    const known = this.validateKnown(query);
    const validated = known ?? (await this.validate(query));
    if (!validated.ok) return this.invalid(reply, validated.error);
    const req = validated.value;
    try {
      if (req.offset === 'now' || req.offset === BEFORE_ALL) {
        const shape = await this.engine.shapeFor(req.definition);
        if (req.offset === 'now') return await this.now_(request, reply, shape);
        return await this.respond(request, reply, shape, req, BEFORE_ALL, 'initial');
      }
      const shape = req.handle === undefined ? undefined : this.engine.find(req.handle);
      if (!shape || shape.definition.key !== req.definition.key)
        return await this.mustRefetch(reply, req.definition);
      const offset = req.offset;
      // The tail is looked up once: in bounds at once (the usual case), a long poll reuses it.
      let tail = this.engine.tail(shape.handle);
      if (!withinBounds(offset, tail)) {
        if (!(await this.waitWithinBounds(shape, offset))) return this.outOfBounds(reply);
        tail = undefined;
      }
      if (!req.live) return await this.respond(request, reply, shape, req, offset, 'catch-up');
      if (req.liveSse) return await this.sse(request, reply, shape, req, offset);
      return await this.longPoll(request, reply, shape, req, offset, tail);
    } catch (error) {
      // The table changed under the request: validate it again against the new table, once.
      const stale =
        error instanceof ShapeEngineError &&
        (error.reason === ENGINE_REASONS.schemaChanged || error.reason === ENGINE_REASONS.tableGone);
      if (stale && !retried) return this.get(request, reply, true);
      if (error instanceof ShapeEngineError) return this.unavailable(reply, error.message);
      if (isShapeNotFound(error)) return this.mustRefetch(reply, req.definition);
      throw error;
    }
  }

  /**
   * Validates the request like Electric (SE6). A definition seen before is taken from a cache keyed by
   * its params and the engine's schema version, so a live poll does not parse its where clause again.
   */
  private async validate(query: Query): Promise<Validated<ShapeRequest>> {
    const known = this.validateKnown(query);
    if (known) return known;
    const key = definitionCacheKey(query, this.engine.schemaVersion);
    const tableText = typeof query.table === 'string' ? query.table : undefined;
    const relation = tableText === undefined ? undefined : parseRelation(tableText);
    const info = relation?.ok ? await this.engine.table(relation.value) : undefined;
    const checked = validateShapeRequest(query, () => info?.schema);
    if (checked.ok) this.definitions.set(key, checked.value.definition);
    return checked;
  }

  /** The validated request when its definition is cached, without a promise (a live poll's usual case). */
  private validateKnown(query: Query): Validated<ShapeRequest> | undefined {
    const cached = this.definitions.get(definitionCacheKey(query, this.engine.schemaVersion));
    return cached && validateKnownDefinitionRequest(query, cached);
  }

  /** An offset past the tail is held for half a long poll, then refused (protocol doc §2.4). */
  private async waitWithinBounds(shape: ShapeView, offset: LogOffset): Promise<boolean> {
    const deadline = this.now() + this.options.config.longPollMs / 2;
    while (this.now() < deadline) {
      const tail = this.engine.tail(shape.handle);
      if (tail === undefined) return true; // rotated: the read answers 409
      const outcome = await this.engine.waitForChange(shape.handle, tail, {
        timeoutMs: deadline - this.now(),
      });
      if (outcome !== 'changed') break;
      if (withinBounds(offset, this.engine.tail(shape.handle))) return true;
    }
    return withinBounds(offset, this.engine.tail(shape.handle));
  }

  /**
   * The log after `since`, resolved only once the announced watermark covers every LSN it carries
   * (SE57): the response built from it may be written at once. Reads of one (handle, offset) started
   * while one is in flight share it, and its wait: the held requests an append wakes all read the
   * same entries at once (SE53). A catch-up response announces the watermark taken before its read
   * (SE25), so it joins only a read that started under the same watermark; the others announce the
   * tail or nothing. `keep`: a live read, kept for later live requests at this offset (SE60).
   */
  private read(
    shape: ShapeView,
    since: LogOffset,
    announcesWatermark: boolean,
    keep = false,
  ): Promise<Snapshot> {
    const key = readKey(shape, since);
    // Taken before the read: every transaction at or below it is in the log read (SE35).
    const watermark = this.engine.watermark;
    const known = this.inflight.get(key);
    if (known && (!announcesWatermark || known.watermark === watermark)) return known.snapshot;
    const snapshot = this.engine.read(shape.handle, since).then(async (read) => {
      const lsn = readTail(read);
      if (lsn > this.engine.watermark) await this.engine.announcedAtLeast(lsn);
      const done: Snapshot = { read, watermark };
      if (keep) this.settled.set(key, done);
      return done;
    });
    const entry: InflightRead = { watermark, snapshot };
    this.inflight.set(key, entry);
    const forget = (): void => {
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
    };
    snapshot.then(forget, forget);
    return snapshot;
  }

  /**
   * The log after `since` for a live response (which announces the shape's tail, not the watermark):
   * a read already done is reused, without a promise, while the shape's tail is still the one it read
   * to, since a new read would return the same entries (SE60). The requests one append wakes, slice
   * after slice (SE58), so share one read, one body and one header set.
   */
  private liveRead(shape: ShapeView, since: LogOffset): Snapshot | Promise<Snapshot> {
    const done = this.settled.get(readKey(shape, since));
    const tail = done && this.engine.tail(shape.handle);
    if (done && tail !== undefined && compareOffsets(tail, done.read.tail) === 0) return done;
    return this.read(shape, since, false, true);
  }

  /** The JSON body of a read plus its control message, built once per shared read. */
  private body(read: ReadResult, control: string | undefined): string {
    let bodies = this.bodies.get(read);
    if (!bodies) this.bodies.set(read, (bodies = new Map<string, string>()));
    let body = bodies.get(control ?? '');
    if (body === undefined) bodies.set(control ?? '', (body = responseBody(read.entries, control)));
    return body;
  }

  /** The same body as bytes, for raw live writes: one Buffer per read and control message. */
  private liveBody(read: ReadResult, control: string | undefined): Buffer {
    let bodies = this.liveBodies.get(read);
    if (!bodies) this.liveBodies.set(read, (bodies = new Map<string, Buffer>()));
    let body = bodies.get(control ?? '');
    if (body === undefined) bodies.set(control ?? '', (body = Buffer.from(this.body(read, control))));
    return body;
  }

  /** A non-live response, or 304 when If-None-Match names it (SE29). */
  private async respond(
    request: FastifyRequest,
    reply: FastifyReply,
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    mode: 'initial' | 'catch-up',
  ): Promise<FastifyReply> {
    const { read, watermark } = await this.read(shape, since, mode === 'catch-up');
    const headers: Headers = {
      'electric-handle': shape.handle,
      'electric-offset': formatOffset(read.lastOffset),
      'electric-has-data': 'true',
      'electric-schema': shape.schemaHeader,
      'cache-control': cacheControl({ kind: mode }, this.cacheConfig),
      etag: etag(shape.handle, formatOffset(since), formatOffset(read.lastOffset)),
    };
    // An offset=-1 response never carries up-to-date, so it never changes (SE31).
    const upToDate = read.upToDate && mode !== 'initial';
    if (upToDate) headers['electric-up-to-date'] = '';
    if (ifNoneMatchHits(request.headers['if-none-match'], headers.etag as string)) {
      return reply.code(304).headers(headers).send();
    }
    const control = upToDate ? upToDateMessage(upToDateLsn(false, watermark, readTail(read))) : undefined;
    return reply.code(200).headers(headers).type(JSON_TYPE).send(this.body(read, control));
  }

  /**
   * A live data response: built once per (read, Origin, client cursor) and written raw, so waking a
   * thousand held requests costs one body and one header set, not a thousand (SE33, SE53).
   */
  private sendLive(
    request: FastifyRequest,
    reply: FastifyReply,
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    snapshot: Snapshot,
  ): FastifyReply {
    const origin = request.headers.origin;
    const response = this.liveResponse(shape, req, since, snapshot, origin);
    if (ifNoneMatchHits(request.headers['if-none-match'], response.headers.etag as string)) {
      return reply.code(304).headers(response.headers).send();
    }
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, response.raw as string[]);
    raw.end(response.body);
    return reply;
  }

  private liveResponse(
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    { read, watermark }: Snapshot,
    origin: string | undefined,
  ): LiveResponse {
    let responses = this.liveResponses.get(read);
    if (!responses) this.liveResponses.set(read, (responses = new Map<string, LiveResponse>()));
    // The cursor interval too: a response kept for a later wake-up (SE60) carries the cursor a fresh
    // one would, so the next poll's URL is still new to a CDN.
    const interval = nextCursor({
      nowMs: this.now(),
      longPollTimeoutMs: this.options.config.longPollMs,
      jitterSeconds: 0,
    });
    const key = `${origin ?? ''}\n${req.cursor ?? ''}\n${interval}`;
    const known = responses.get(key);
    if (known) return known;
    const headers: Headers = {
      'electric-handle': shape.handle,
      'electric-offset': formatOffset(read.lastOffset),
      'electric-has-data': 'true',
      'electric-cursor': this.cursor(req),
      'cache-control': cacheControl({ kind: 'live' }, this.cacheConfig),
      etag: etag(shape.handle, formatOffset(since), formatOffset(read.lastOffset)),
    };
    if (read.upToDate) headers['electric-up-to-date'] = '';
    const control = read.upToDate ? upToDateMessage(upToDateLsn(true, watermark, readTail(read))) : undefined;
    const body = this.liveBody(read, control);
    const all: Headers = {
      ...corsHeaders(origin),
      ...headers,
      'content-type': JSON_TYPE,
      'content-length': String(body.length),
    };
    const response: LiveResponse = { headers, raw: Object.entries(all).flat(), body };
    responses.set(key, response);
    return response;
  }

  /** offset=now: an immediate up-to-date at the shape's tail, no history (protocol doc §2.2). */
  private async now_(request: FastifyRequest, reply: FastifyReply, shape: ShapeView): Promise<FastifyReply> {
    const watermark = this.engine.watermark;
    const tail = this.engine.tail(shape.handle) ?? BEFORE_ALL;
    // The tail's transaction may be durable in this log before every shape holds it (SE57).
    if (tail.tx > this.engine.watermark) await this.engine.announcedAtLeast(tail.tx);
    const headers: Headers = {
      'electric-handle': shape.handle,
      'electric-offset': formatOffset(tail),
      'electric-has-data': 'false',
      'electric-schema': shape.schemaHeader,
      'electric-up-to-date': '',
      'cache-control': cacheControl({ kind: 'catch-up' }, this.cacheConfig),
      etag: etag(shape.handle, 'now', formatOffset(tail)),
    };
    if (ifNoneMatchHits(request.headers['if-none-match'], headers.etag as string)) {
      return reply.code(304).headers(headers).send();
    }
    const lsn = upToDateLsn(false, watermark, tail.tx > 0n ? tail.tx : 0n);
    return reply
      .code(200)
      .headers(headers)
      .type(JSON_TYPE)
      .send(responseBody([], upToDateMessage(lsn)));
  }

  /** Live long-poll (SE33): data at once if there is some, else held until a commit, a rotation or the timeout. */
  private async longPoll(
    request: FastifyRequest,
    reply: FastifyReply,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    tail: LogOffset | undefined,
  ): Promise<FastifyReply> {
    // Only a tail past the offset has data to read at once; else the request waits without a read.
    if (tail === undefined || compareOffsets(tail, offset) > 0) {
      const first = await this.liveRead(shape, offset);
      if (first.read.entries.length > 0) return this.sendLive(request, reply, shape, req, offset, first);
    }
    const max = this.options.maxHeldRequests ?? 20_000;
    if (this.held >= max)
      return this.unavailable(reply, `${this.held} live requests are held already (the limit is ${max}).`);
    const held = this.hold(reply);
    try {
      const outcome = await this.engine.waitForChange(shape.handle, offset, {
        timeoutMs: this.options.config.longPollMs,
        signal: held,
      });
      switch (outcome) {
        case 'changed': {
          const snapshot = this.liveRead(shape, offset);
          const ready = snapshot instanceof Promise ? await snapshot : snapshot;
          return this.sendLive(request, reply, shape, req, offset, ready);
        }
        case 'timeout': {
          // The watermark is read before the tail is checked: every transaction at or below it is in
          // this log by then, so a tail still not past the offset means the client holds all of them
          // and may be told so (SE57). Read after the check, it could cover an append in between.
          const watermark = this.engine.watermark;
          const current = this.engine.tail(shape.handle);
          if (current !== undefined && compareOffsets(current, offset) > 0) {
            return this.sendLive(request, reply, shape, req, offset, await this.liveRead(shape, offset));
          }
          return await this.emptyLive(reply, shape, req, offset, watermark, current);
        }
        case 'deleted':
          // Rotated while held, maybe by a schema change: the definition is validated again.
          return await this.mustRefetch(reply, await this.validate(request.query as Query));
        case 'aborted':
          // The client left (nobody reads this), or the server is closing (the client retries).
          return this.unavailable(reply, 'The server is stopping; retry shortly.');
      }
    } finally {
      this.release(held);
    }
  }

  /**
   * A long poll that saw no commit: 200 `[up-to-date]`, has-data false, an etag no CDN can revalidate.
   * It announces max(tail, `watermark`), the watermark read before the tail was found not past the
   * offset (SE57): pglite-sync may then commit a transaction other shapes delivered without a refresh.
   */
  private async emptyLive(
    reply: FastifyReply,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    watermark: bigint,
    tail: LogOffset | undefined,
  ): Promise<FastifyReply> {
    const tailLsn = (tail ?? offset).tx > 0n ? (tail ?? offset).tx : 0n;
    if (tailLsn > this.engine.watermark) await this.engine.announcedAtLeast(tailLsn);
    const lsn = upToDateLsn(false, watermark, tailLsn);
    const headers: Headers = {
      'electric-handle': shape.handle,
      'electric-offset': formatOffset(offset),
      'electric-has-data': 'false',
      'electric-up-to-date': '',
      'electric-cursor': this.cursor(req),
      'cache-control': cacheControl({ kind: 'live' }, this.cacheConfig),
      etag: etag(
        shape.handle,
        formatOffset(offset),
        formatOffset(offset),
        String(++this.uniqueTag) + '-' + this.now(),
      ),
    };
    return reply
      .code(200)
      .headers(headers)
      .type(JSON_TYPE)
      .send(responseBody([], upToDateMessage(lsn)));
  }

  /**
   * SSE (SE54): one event per log entry, an up-to-date after each batch that reaches the tail, a
   * keep-alive comment after silence, closed after the SSE timeout or when the shape rotates (the
   * client's next request then gets its 409).
   */
  private async sse(
    request: FastifyRequest,
    reply: FastifyReply,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
  ): Promise<FastifyReply> {
    const max = this.options.maxHeldRequests ?? 20_000;
    if (this.held >= max)
      return this.unavailable(reply, `${this.held} live requests are held already (the limit is ${max}).`);
    const held = this.hold(reply);
    const raw = reply.raw;
    reply.hijack();
    try {
      raw.writeHead(200, {
        ...(reply.getHeaders() as Headers),
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'cache-control': cacheControl({ kind: 'live-sse' }, this.cacheConfig),
        'electric-handle': shape.handle,
        'electric-offset': formatOffset(offset),
        'electric-cursor': this.cursor(req),
      });
      const keepAliveMs = this.options.sseKeepAliveMs ?? 21_000;
      const deadline = this.now() + this.cacheConfig.sseTimeoutMs;
      let since = offset;
      while (!held.aborted) {
        const { read } = await this.read(shape, since, false);
        if (read.entries.length > 0) {
          let text = '';
          for (const entry of read.entries) text += `data: ${entry}\n\n`;
          since = read.lastOffset;
          // The client resumes at `<lsn>_0`: tail + 1 keeps it past every op of the tail transaction.
          if (read.upToDate) text += `data: ${upToDateMessage((since.tx > 0n ? since.tx : 0n) + 1n)}\n\n`;
          raw.write(text);
          continue;
        }
        const remaining = deadline - this.now();
        if (remaining <= 0) break;
        const outcome = await this.engine.waitForChange(shape.handle, since, {
          timeoutMs: Math.min(remaining, keepAliveMs),
          signal: held,
        });
        if (outcome === 'timeout') {
          if (this.now() >= deadline) break;
          raw.write(': keep-alive\n\n');
        } else if (outcome !== 'changed') break;
      }
    } catch (error) {
      // A rotation, or the engine stopping while a read waited for the watermark: the stream just ends.
      if (!isShapeNotFound(error) && !(error instanceof ShapeEngineError))
        request.log.error({ err: error }, 'SSE stream failed');
    } finally {
      this.release(held);
      raw.end();
    }
    return reply;
  }

  /** 409 must-refetch with the definition's current handle, made if need be (SE34). */
  private async mustRefetch(
    reply: FastifyReply,
    definition: ShapeDefinition | Validated<ShapeRequest>,
  ): Promise<FastifyReply> {
    let fresh: ShapeView | undefined;
    const current =
      'ok' in definition ? (definition.ok ? definition.value.definition : undefined) : definition;
    try {
      fresh = current ? await this.engine.shapeFor(current) : undefined;
    } catch {
      fresh = undefined;
    }
    const headers: Headers = {
      'cache-control': cacheControl(
        { kind: 'must-refetch', hasNewHandle: fresh !== undefined },
        this.cacheConfig,
      ),
    };
    if (fresh) headers['electric-handle'] = fresh.handle;
    return reply.code(409).headers(headers).type(JSON_TYPE).send(MUST_REFETCH_BODY);
  }

  private cursor(req: ShapeRequest): string {
    return nextCursor({
      nowMs: this.now(),
      longPollTimeoutMs: this.options.config.longPollMs,
      clientCursor: req.cursor,
      jitterSeconds: 1 + Math.floor(this.random() * 3600),
    });
  }

  // ---- errors ----

  private errorHeaders(reply: FastifyReply): FastifyReply {
    return reply.headers({
      'cache-control': cacheControl({ kind: 'error' }),
      'surrogate-control': 'no-store',
    });
  }

  private invalid(reply: FastifyReply, error: InvalidRequest): FastifyReply {
    return this.errorHeaders(reply).code(400).type(JSON_TYPE).send(JSON.stringify(error.body));
  }

  private outOfBounds(reply: FastifyReply): FastifyReply {
    return this.errorHeaders(reply).code(400).type(JSON_TYPE).send(JSON.stringify(OUT_OF_BOUNDS_BODY));
  }

  private unauthorized(reply: FastifyReply): FastifyReply {
    return this.errorHeaders(reply).code(401).type(JSON_TYPE).send(JSON.stringify(UNAUTHORIZED_BODY));
  }

  /** 503 + Retry-After (SE55): starting, too many creations or held requests, snapshot failure. */
  private unavailable(reply: FastifyReply, message: string): FastifyReply {
    return this.errorHeaders(reply)
      .code(503)
      .header('retry-after', String(this.options.retryAfterSeconds ?? 5))
      .type(JSON_TYPE)
      .send(JSON.stringify({ code: ErrorCode.unavailable, message }));
  }

  // ---- DELETE, OPTIONS, health ----

  /** DELETE /v1/shape (SE34): only with SHAPE_ALLOW_DELETE=true; by handle, or by definition. */
  async delete(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const query = request.query as Query;
    void reply.headers({
      ...corsHeaders(request.headers.origin),
      'cache-control': cacheControl({ kind: 'no-cache' }),
    });
    if (!this.secretAccepted(query)) return this.unauthorized(reply);
    if (!this.options.config.allowDelete) {
      return reply
        .code(405)
        .type(JSON_TYPE)
        .send(
          JSON.stringify({
            code: ErrorCode.forbidden,
            message:
              'Deleting shapes is disabled; start the server with SHAPE_ALLOW_DELETE=true to allow it.',
          }),
        );
    }
    const handle = typeof query.handle === 'string' && query.handle !== '' ? query.handle : undefined;
    const tableText = typeof query.table === 'string' ? query.table : undefined;
    const relation = tableText === undefined ? undefined : parseRelation(tableText);
    const info = relation?.ok ? await this.engine.table(relation.value) : undefined;
    const definition = validateShapeDefinition(
      {
        table: tableText,
        columns: typeof query.columns === 'string' ? query.columns : undefined,
        where: typeof query.where === 'string' ? query.where : undefined,
        params: paramsFromQuery(query),
        ...(query.replica === 'full' ? { replica: 'full' as const } : {}),
        ...(query.log === 'changes_only' ? { log: 'changes_only' as const } : {}),
      },
      () => info?.schema,
    );
    if (!definition.ok) return this.invalid(reply, definition.error);
    const target = handle ?? this.engine.currentHandle(definition.value);
    const shape = target === undefined ? undefined : this.engine.find(target);
    if (
      !shape ||
      (handle === undefined && shape.definition.key !== definition.value.key) ||
      shape.definition.table.schema !== definition.value.table.schema ||
      shape.definition.table.name !== definition.value.table.name
    ) {
      return reply
        .code(404)
        .type(JSON_TYPE)
        .send(
          JSON.stringify({
            code: ErrorCode.notFound,
            message: 'No such shape: it was already deleted, rotated or never created.',
          }),
        );
    }
    this.engine.deleteShape(shape.handle);
    return reply.code(202).send();
  }

  preflight(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const requested = request.headers['access-control-request-headers'];
    return reply
      .code(204)
      .headers(
        preflightHeaders(request.headers.origin, typeof requested === 'string' ? requested : undefined),
      )
      .send();
  }

  /** `{"status":"active"}` once the stream runs; 202 `starting` before (SE36). */
  health(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const query = request.query as Query;
    void reply.headers({
      ...corsHeaders(request.headers.origin),
      'cache-control': 'no-cache, no-store, must-revalidate',
    });
    if (!this.secretAccepted(query)) return this.unauthorized(reply);
    const active = this.engine.ready;
    return reply
      .code(active ? 200 : 202)
      .type(JSON_TYPE)
      .send(JSON.stringify({ status: active ? 'active' : 'starting' }));
  }
}
