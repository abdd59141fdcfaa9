// Electric's Shape API v1 (SPEC.md SE33–SE37, SE49, SE53–SE56, SE59–SE62, SE64; protocol doc §2),
// free of any HTTP server: a call (query, Origin, If-None-Match, whether the client is still there)
// in, an answer (status, headers, body) out through the call's sink. The raw route and the Fastify
// routes write answers to sockets; the gateway calls the same object in-process, so a user's poll is
// not parsed, routed and streamed a second time (SE62). A held long poll is answered from its
// wake-up turn (SE64). The protocol rules are the pure core's (caching.ts, messages.ts, offset.ts).
import { LRUCache } from 'lru-cache';
import { ErrorCode } from '@hearth/schema/errors';
import type { ShapeConfig } from '../../config';
import { cacheControl, etag, ifNoneMatchHits, nextCursor, type CacheConfig } from '../caching';
import { parseRelation } from '../identifiers';
import { MUST_REFETCH_BODY, responseBody, subsetBody, upToDateLsn, upToDateMessage } from '../messages';
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
import { namesSubset, subsetFromBody, subsetFromQuery, validateSubset } from '../subset';
import type { ReadResult, WaitListener, WaitOutcome } from '../storage/store';
import { ENGINE_REASONS, ShapeEngineError } from '../engine/errors';
import type { ShapeEngine, ShapeView } from '../engine/shape-engine';
import { HeldRequests, type ClientPresence, type HeldRequest } from './held-requests';
import {
  OUT_OF_BOUNDS_BODY,
  UNAUTHORIZED_BODY,
  corsHeaders,
  definitionCacheKey,
  preflightHeaders,
  secretChecker,
} from './headers';

export type { ClientPresence } from './held-requests';

/** Where the Shape API is served, on this engine and on a real Electric. */
export const SHAPE_PATH = '/v1/shape';

export interface ShapeApiOptions {
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

export type Headers = Record<string, string>;

/** One request to the Shape API, as any transport hands it over. */
export interface ShapeCall {
  readonly query: Query;
  readonly origin?: string | undefined;
  readonly ifNoneMatch?: string | undefined;
  /** Ends what the call holds (a long poll, an SSE stream) when the client goes away. */
  readonly client: ClientPresence;
  /** A POST's body, parsed JSON: the subset of a subset snapshot (SE38). */
  readonly body?: unknown;
  /** Where an SSE stream that fails unexpectedly is reported (a pino logger fits). */
  readonly log?: { error(details: object, message: string): void };
}

/**
 * What the Shape API answers. `body` is text or bytes for a whole response, or, for SSE, the events as
 * they come (ended by the client leaving, a rotation or the SSE timeout). `rawHeaders`, when present,
 * is every header (CORS, type and length included) as the flat list `writeHead` takes: the live
 * responses one append wakes share it (SE53).
 */
export interface ShapeAnswer {
  readonly status: number;
  readonly headers: Readonly<Headers>;
  readonly body: string | Buffer | AsyncIterable<string> | undefined;
  readonly rawHeaders?: readonly string[];
}

/**
 * Where a call's answer goes (SE64): `answer` or `fail`, once. A woken long poll's answer is given
 * from inside the wake-up turn, so a thousand woken requests are written one after another there,
 * not each after a chain of promise reactions run for all of them first.
 */
export interface AnswerSink {
  answer(answer: ShapeAnswer): void;
  /** The API failed on the call (a bug, or the store failing): the transport answers 500. */
  fail(error: unknown): void;
}

/** What the API's own steps return: an answer, or HELD once a long poll took the sink. */
const HELD = Symbol('held');
type Answered = ShapeAnswer | typeof HELD;
/** A value now, or later: the hot paths return values, not promises, when they have one. */
type Pending<T> = T | Promise<T>;

/** Gives an answer to its sink; the sink's own failure (a bad header) becomes its `fail`. */
function deliver(sink: AnswerSink, answer: Answered): void {
  if (answer === HELD) return;
  try {
    sink.answer(answer);
  } catch (error) {
    sink.fail(error);
  }
}

/** A long poll held until its wait ends: what it needs to answer then, and the wait's listener. */
class HeldLongPoll implements WaitListener {
  constructor(
    readonly call: ShapeCall,
    readonly sink: AnswerSink,
    readonly shape: ShapeView,
    readonly req: ShapeRequest,
    readonly offset: LogOffset,
    readonly held: HeldRequest,
    private readonly ended: (poll: HeldLongPoll, outcome: WaitOutcome) => void,
  ) {}

  settled(outcome: WaitOutcome): void {
    this.ended(this, outcome);
  }
}

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
 * key it. `raw` is every header as the flat `[name, value, …]` list `writeHead` takes.
 */
interface LiveResponse {
  /** The protocol headers alone: what a 304 repeats. */
  readonly headers: Headers;
  /** The 200 itself, every header included: one object for every request it answers. */
  readonly answer: ShapeAnswer;
}

/** A live response with the read, cursor interval, Origin and client cursor it answers. */
interface LastLive {
  readonly read: ReadResult;
  readonly interval: string;
  readonly origin: string | undefined;
  readonly cursor: string | undefined;
  readonly response: LiveResponse;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The CORS headers of a request without Origin (a server, a native app): the same every time. */
const CORS_ANY_ORIGIN: Readonly<Headers> = corsHeaders(undefined);

function cors(origin: string | undefined): Readonly<Headers> {
  return origin === undefined ? CORS_ANY_ORIGIN : corsHeaders(origin);
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

/** Whether a live read still answers for `tail`, the shape's tail now: it read up to it (SE60). */
function isTailOf({ read }: Snapshot, tail: LogOffset | undefined): boolean {
  return tail !== undefined && compareOffsets(tail, read.tail) === 0;
}

function readKey(shape: ShapeView, since: LogOffset): string {
  return `${shape.handle}|${formatOffset(since)}`;
}

/** Offsets up to `(tail lsn + 1)_0` are in bounds: that is what an SSE up-to-date hands out (SE54). */
function withinBounds(offset: LogOffset, tail: LogOffset | undefined): boolean {
  return tail !== undefined && compareOffsets(offset, { tx: (tail.tx < 0n ? 0n : tail.tx) + 1n, op: 0 }) <= 0;
}

export class ShapeApi {
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
  private readonly held = new HeldRequests();
  /** The live read reused last, and what it was for (see liveRead). */
  private lastRead: { handle: string; since: LogOffset; snapshot: Snapshot } | undefined;
  /** The live response built last, and what it was built for (see liveResponse). */
  private lastLive: LastLive | undefined;
  private intervalSecond = Number.NaN;
  private interval = '';
  private uniqueTag = 0n;
  private readonly secretAccepted: (query: Query) => boolean;

  constructor(private readonly options: ShapeApiOptions) {
    this.engine = options.engine;
    this.secretAccepted = secretChecker(options.config.secret);
    this.cacheConfig = { maxAgeSeconds: 60, staleAgeSeconds: 300, sseTimeoutMs: 60_000, ...options.cache };
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Live requests held now (long polls and SSE streams). */
  get heldCount(): number {
    return this.held.count;
  }

  /** Set once closeHeld ran. */
  get closing(): boolean {
    return this.held.closing;
  }

  /** Ends every held request (the server is closing): long polls answer 503, SSE streams end. */
  closeHeld(): void {
    this.held.closeAll();
  }

  // ---- GET /v1/shape ----

  /**
   * Answers the call through `sink`: at once, after a read, or when its held long poll ends (SE64).
   * A live poll that is held (the usual case) gets there without a promise: at a thousand polls per
   * append, the async frames and reactions were a fifth of what each poll allocated.
   */
  serve(call: ShapeCall, sink: AnswerSink): void {
    let answered: Pending<Answered>;
    try {
      answered = this.answer(call, sink);
    } catch (error) {
      sink.fail(error);
      return;
    }
    if (answered instanceof Promise) {
      answered.then(
        (answer) => deliver(sink, answer),
        (error: unknown) => sink.fail(error),
      );
    } else {
      deliver(sink, answered);
    }
  }

  /** The answer as a promise, for callers that write it themselves (the gateway, the Fastify route). */
  get(call: ShapeCall): Promise<ShapeAnswer> {
    return new Promise((resolve, reject) => this.serve(call, { answer: resolve, fail: reject }));
  }

  private answer(call: ShapeCall, sink: AnswerSink, retried = false): Pending<Answered> {
    const { query } = call;
    if (!this.secretAccepted(query)) return this.unauthorized(call);
    if (!this.engine.ready || this.held.closing) {
      return this.unavailable(call, 'The shape engine is starting or stopping; retry shortly.');
    }
    const known = this.validateKnown(query);
    if (known) return this.answerValidated(call, sink, known, retried);
    return this.validate(query).then((validated) => this.answerValidated(call, sink, validated, retried));
  }

  private answerValidated(
    call: ShapeCall,
    sink: AnswerSink,
    validated: Validated<ShapeRequest>,
    retried: boolean,
  ): Pending<Answered> {
    if (!validated.ok) return this.invalid(call, validated.error);
    const req = validated.value;
    let answered: Pending<Answered>;
    try {
      answered = this.wantsSubset(call) ? this.subset(call, req) : this.route(call, sink, req);
    } catch (error) {
      return this.recover(call, sink, req, error, retried);
    }
    if (!(answered instanceof Promise)) return answered;
    return answered.catch((error: unknown) => this.recover(call, sink, req, error, retried));
  }

  /** A valid request to what answers it: the start of a shape, a catch-up, SSE or a long poll. */
  private route(call: ShapeCall, sink: AnswerSink, req: ShapeRequest): Pending<Answered> {
    if (req.offset === 'now' || req.offset === BEFORE_ALL) return this.start(call, req, req.offset);
    const shape = req.handle === undefined ? undefined : this.shapeOf(req.handle, req.live);
    if (!shape || shape.definition.key !== req.definition.key) return this.mustRefetch(call, req.definition);
    const offset = req.offset;
    // The tail is looked up once: in bounds at once (the usual case), a long poll reuses it.
    const tail = this.engine.tail(shape.handle);
    if (withinBounds(offset, tail)) return this.inBounds(call, sink, shape, req, offset, tail);
    return this.waitWithinBounds(shape, offset).then((within) =>
      within ? this.inBounds(call, sink, shape, req, offset, undefined) : this.outOfBounds(call),
    );
  }

  /** A POST, or a GET naming `subset__*` params (live or not, as Electric decides). */
  private wantsSubset(call: ShapeCall): boolean {
    return call.body !== undefined || namesSubset(call.query);
  }

  /**
   * A subset snapshot (SE38): the shape is found (or made) as for any request, then the subset's rows
   * are read in a snapshot of their own. The response's offset is the one asked for, or the tail for
   * `now`, read before the snapshot: every change after it reaches the client through the log, and
   * the client drops those its snapshot already shows (their xids are visible in it).
   */
  private async subset(call: ShapeCall, req: ShapeRequest): Promise<ShapeAnswer> {
    const input =
      call.body === undefined
        ? { ok: true as const, value: subsetFromQuery(call.query) ?? {} }
        : subsetFromBody(call.body, call.query);
    const checked = input.ok ? validateSubset(input.value, req.definition) : input;
    if (!checked.ok) {
      return this.error(call, 400, { message: 'Invalid request', errors: { subset: checked.errors } });
    }
    const start = await this.subsetStart(call, req);
    if ('status' in start) return start;
    const { shape, offset } = start;
    const mark = Math.floor(this.random() * 2 ** 31);
    const { metadata, rows } = await this.engine.querySubset(shape.handle, checked.value, mark);
    return {
      status: 200,
      headers: {
        ...cors(call.origin),
        'electric-handle': shape.handle,
        'electric-offset': offset,
        'electric-schema': shape.schemaHeader,
        'electric-snapshot': 'true',
        'cache-control': 'no-cache',
        'content-type': JSON_TYPE,
      },
      body: subsetBody(metadata, rows),
    };
  }

  /**
   * The shape a subset reads and the offset its answer carries, found as any request finds them: a
   * wrong handle is a 409 (before SSE is refused, as Electric orders it), an offset past the tail is
   * held, then refused.
   */
  private async subsetStart(
    call: ShapeCall,
    req: ShapeRequest,
  ): Promise<{ shape: ShapeView; offset: string } | ShapeAnswer> {
    if (req.offset === 'now' || req.offset === BEFORE_ALL) {
      if (req.liveSse) return this.sseSubset(call);
      const shape = await this.engine.shapeFor(req.definition);
      const tail = this.engine.tail(shape.handle) ?? BEFORE_ALL;
      if (tail.tx > this.engine.watermark) await this.engine.announcedAtLeast(tail.tx);
      return { shape, offset: formatOffset(req.offset === 'now' ? tail : BEFORE_ALL) };
    }
    const shape = req.handle === undefined ? undefined : this.engine.find(req.handle);
    if (!shape || shape.definition.key !== req.definition.key) return this.mustRefetch(call, req.definition);
    if (req.liveSse) return this.sseSubset(call);
    const within =
      withinBounds(req.offset, this.engine.tail(shape.handle)) ||
      (await this.waitWithinBounds(shape, req.offset));
    return within ? { shape, offset: formatOffset(req.offset) } : this.outOfBounds(call);
  }

  private sseSubset(call: ShapeCall): ShapeAnswer {
    return this.error(call, 400, {
      message: 'Subset snapshots are a stable view of data, so SSE is not applicable',
    });
  }

  /**
   * The shape a request's handle names: a ready one, or for a catch-up one whose snapshot still runs
   * (its closed chunks are served, SE65). A live request needs the shape ready.
   */
  private shapeOf(handle: string, live: boolean): ShapeView | undefined {
    return this.engine.find(handle) ?? (live ? undefined : this.engine.findStarted(handle));
  }

  /**
   * offset=now or -1: the shape is found or made first. A `-1` needs only its snapshot running: it is
   * answered with the first chunk the snapshot closes (SE65); `now` needs the shape ready.
   */
  private async start(call: ShapeCall, req: ShapeRequest, offset: 'now' | LogOffset): Promise<ShapeAnswer> {
    if (offset === 'now') return await this.now_(call, await this.engine.shapeFor(req.definition));
    const shape = await this.engine.shapeStarted(req.definition);
    return await this.respond(call, shape, req, BEFORE_ALL, 'initial');
  }

  /** An offset within the log: a catch-up, an SSE stream or a long poll. */
  private inBounds(
    call: ShapeCall,
    sink: AnswerSink,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    tail: LogOffset | undefined,
  ): Pending<Answered> {
    if (!req.live) return this.respond(call, shape, req, offset, 'catch-up');
    if (req.liveSse) return this.sse(call, shape, req, offset);
    return this.longPoll(call, sink, shape, req, offset, tail);
  }

  /**
   * A failure under a valid request: the table changed under it (validated again against the new
   * table, once), the engine stopping (503), the shape gone meanwhile (409); anything else is a bug.
   */
  private recover(
    call: ShapeCall,
    sink: AnswerSink,
    req: ShapeRequest,
    error: unknown,
    retried: boolean,
  ): Pending<Answered> {
    const stale =
      error instanceof ShapeEngineError &&
      (error.reason === ENGINE_REASONS.schemaChanged || error.reason === ENGINE_REASONS.tableGone);
    if (stale && !retried) return this.answer(call, sink, true);
    if (error instanceof ShapeEngineError) return this.unavailable(call, error.message);
    if (isShapeNotFound(error)) return this.mustRefetch(call, req.definition);
    throw error;
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
   * to, since a new read would return the same entries (SE60). The requests one append wakes, turn
   * after turn (SE58), so share one read, one body and one header set.
   */
  private liveRead(shape: ShapeView, since: LogOffset): Pending<Snapshot> {
    const tail = this.engine.tail(shape.handle);
    // The requests one wake-up turn answers read the same (handle, offset): the last one is checked
    // first, with no key to build.
    const last = this.lastRead;
    if (
      last !== undefined &&
      last.handle === shape.handle &&
      compareOffsets(last.since, since) === 0 &&
      isTailOf(last.snapshot, tail)
    ) {
      return last.snapshot;
    }
    const key = readKey(shape, since);
    const done = this.settled.get(key);
    if (done && isTailOf(done, tail)) {
      this.lastRead = { handle: shape.handle, since, snapshot: done };
      return done;
    }
    // What an append just published is in memory, and the requests it wakes run after its commit
    // announced it (SE58): they answer from it without a read or a wait (SE64).
    const watermark = this.engine.watermark;
    const cached = this.engine.readCached(shape.handle, since);
    if (cached !== undefined && readTail(cached) <= watermark) {
      const snapshot: Snapshot = { read: cached, watermark };
      this.settled.set(key, snapshot);
      this.lastRead = { handle: shape.handle, since, snapshot };
      return snapshot;
    }
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

  /** The same body as bytes, for live answers: one Buffer per read and control message. */
  private liveBody(read: ReadResult, control: string | undefined): Buffer {
    let bodies = this.liveBodies.get(read);
    if (!bodies) this.liveBodies.set(read, (bodies = new Map<string, Buffer>()));
    let body = bodies.get(control ?? '');
    if (body === undefined) bodies.set(control ?? '', (body = Buffer.from(this.body(read, control))));
    return body;
  }

  /** A non-live response, or 304 when If-None-Match names it (SE29). */
  private async respond(
    call: ShapeCall,
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    mode: 'initial' | 'catch-up',
  ): Promise<ShapeAnswer> {
    const { read, watermark } = await this.read(shape, since, mode === 'catch-up');
    const headers: Headers = {
      ...cors(call.origin),
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
    if (ifNoneMatchHits(call.ifNoneMatch, headers.etag as string)) {
      return { status: 304, headers, body: undefined };
    }
    const control = upToDate ? upToDateMessage(upToDateLsn(false, watermark, readTail(read))) : undefined;
    headers['content-type'] = JSON_TYPE;
    return { status: 200, headers, body: this.body(read, control) };
  }

  /**
   * A live data response: built once per (read, Origin, client cursor), so waking a thousand held
   * requests costs one body and one header set, not a thousand (SE33, SE53).
   */
  private sendLive(
    call: ShapeCall,
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    snapshot: Snapshot,
  ): ShapeAnswer {
    const response = this.liveResponse(shape, req, since, snapshot, call.origin);
    if (ifNoneMatchHits(call.ifNoneMatch, response.headers.etag as string)) {
      return { status: 304, headers: { ...cors(call.origin), ...response.headers }, body: undefined };
    }
    return response.answer;
  }

  private liveResponse(
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    snapshot: Snapshot,
    origin: string | undefined,
  ): LiveResponse {
    const { read } = snapshot;
    // The cursor interval too: a response kept for a later wake-up (SE60) carries the cursor a fresh
    // one would, so the next poll's URL is still new to a CDN.
    const interval = this.cursorInterval();
    const last = this.lastLive;
    // The requests one wake-up turn answers are alike: the last response built is checked first.
    if (
      last &&
      last.read === read &&
      last.interval === interval &&
      last.origin === origin &&
      last.cursor === req.cursor
    ) {
      return last.response;
    }
    let responses = this.liveResponses.get(read);
    if (!responses) this.liveResponses.set(read, (responses = new Map<string, LiveResponse>()));
    const key = `${origin ?? ''}\n${req.cursor ?? ''}\n${interval}`;
    const response = responses.get(key) ?? this.buildLiveResponse(shape, req, since, snapshot, origin);
    responses.set(key, response);
    this.lastLive = { read, interval, origin, cursor: req.cursor, response };
    return response;
  }

  /** The interval part of the cursor (SE27) at this second: computed once a second, not per answer. */
  private cursorInterval(): string {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.intervalSecond) {
      this.intervalSecond = second;
      this.interval = nextCursor({
        nowMs: second * 1000,
        longPollTimeoutMs: this.options.config.longPollMs,
        jitterSeconds: 0,
      });
    }
    return this.interval;
  }

  private buildLiveResponse(
    shape: ShapeView,
    req: ShapeRequest,
    since: LogOffset,
    { read, watermark }: Snapshot,
    origin: string | undefined,
  ): LiveResponse {
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
      ...cors(origin),
      ...headers,
      'content-type': JSON_TYPE,
      'content-length': String(body.length),
    };
    return { headers, answer: { status: 200, headers: all, rawHeaders: Object.entries(all).flat(), body } };
  }

  /** offset=now: an immediate up-to-date at the shape's tail, no history (protocol doc §2.2). */
  private async now_(call: ShapeCall, shape: ShapeView): Promise<ShapeAnswer> {
    const watermark = this.engine.watermark;
    const tail = this.engine.tail(shape.handle) ?? BEFORE_ALL;
    // The tail's transaction may be visible in this log before every shape shows it (SE57).
    if (tail.tx > this.engine.watermark) await this.engine.announcedAtLeast(tail.tx);
    const headers: Headers = {
      ...cors(call.origin),
      'electric-handle': shape.handle,
      'electric-offset': formatOffset(tail),
      'electric-has-data': 'false',
      'electric-schema': shape.schemaHeader,
      'electric-up-to-date': '',
      'cache-control': cacheControl({ kind: 'catch-up' }, this.cacheConfig),
      etag: etag(shape.handle, 'now', formatOffset(tail)),
    };
    if (ifNoneMatchHits(call.ifNoneMatch, headers.etag as string)) {
      return { status: 304, headers, body: undefined };
    }
    const lsn = upToDateLsn(false, watermark, tail.tx > 0n ? tail.tx : 0n);
    headers['content-type'] = JSON_TYPE;
    return { status: 200, headers, body: responseBody([], upToDateMessage(lsn)) };
  }

  /**
   * Live long-poll (SE33): data at once if there is some, else held until a commit, a rotation or the
   * timeout; then answered through the sink (SE64).
   */
  private longPoll(
    call: ShapeCall,
    sink: AnswerSink,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    tail: LogOffset | undefined,
  ): Pending<Answered> {
    // Only a tail past the offset has data to read at once; else the request waits without a read.
    if (tail !== undefined && compareOffsets(tail, offset) <= 0)
      return this.hold(call, sink, shape, req, offset);
    const first = this.liveRead(shape, offset);
    if (first instanceof Promise) {
      return first.then((read) => this.dataOrHold(call, sink, shape, req, offset, read));
    }
    return this.dataOrHold(call, sink, shape, req, offset, first);
  }

  private dataOrHold(
    call: ShapeCall,
    sink: AnswerSink,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    first: Snapshot,
  ): Pending<Answered> {
    if (first.read.entries.length > 0) return this.sendLive(call, shape, req, offset, first);
    return this.hold(call, sink, shape, req, offset);
  }

  /** Holds the long poll until a commit past its offset, a rotation, its timeout or its client leaving. */
  private hold(
    call: ShapeCall,
    sink: AnswerSink,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
  ): Pending<Answered> {
    const full = this.refuseWhenFull(call);
    if (full) return full;
    const held = this.held.hold(call.client);
    let known: WaitOutcome | undefined;
    try {
      const poll = new HeldLongPoll(call, sink, shape, req, offset, held, this.longPollEnded);
      const options = { timeoutMs: this.options.config.longPollMs, signal: held };
      known = this.engine.watch(shape.handle, offset, options, poll);
    } finally {
      if (known !== undefined) this.held.release(held);
    }
    if (known === undefined) return HELD;
    return this.afterWait(call, shape, req, offset, known);
  }

  /**
   * A held long poll's wait ended: its answer goes to its sink from here. Woken by an append, this runs
   * inside the wake-up turn, and the answer is written before the next woken request runs (SE64).
   */
  private readonly longPollEnded = (poll: HeldLongPoll, outcome: WaitOutcome): void => {
    this.held.release(poll.held);
    const { call, sink, req } = poll;
    let answer: Pending<ShapeAnswer>;
    try {
      answer = this.afterWait(call, poll.shape, req, poll.offset, outcome);
    } catch (error) {
      void this.recoverInto(call, sink, req, error);
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (ready) => deliver(sink, ready),
        (error: unknown) => this.recoverInto(call, sink, req, error),
      );
    } else {
      deliver(sink, answer);
    }
  };

  /** `recover` for a held long poll: what it answers, or its own failure, goes to the sink. */
  private async recoverInto(
    call: ShapeCall,
    sink: AnswerSink,
    req: ShapeRequest,
    error: unknown,
  ): Promise<void> {
    try {
      deliver(sink, await this.recover(call, sink, req, error, false));
    } catch (failure) {
      sink.fail(failure);
    }
  }

  /** The answer to a long poll whose wait ended with `outcome`: synchronous when the data is in memory. */
  private afterWait(
    call: ShapeCall,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    outcome: WaitOutcome,
  ): Pending<ShapeAnswer> {
    switch (outcome) {
      case 'changed': {
        const snapshot = this.liveRead(shape, offset);
        if (snapshot instanceof Promise) {
          return snapshot.then((ready) => this.sendLive(call, shape, req, offset, ready));
        }
        return this.sendLive(call, shape, req, offset, snapshot);
      }
      case 'timeout':
        return this.timedOut(call, shape, req, offset);
      case 'deleted':
        // Rotated while held, maybe by a schema change: the definition is validated again.
        return this.validate(call.query).then((validated) => this.mustRefetch(call, validated));
      case 'aborted':
        // The client left (nobody reads this), or the server is closing (the client retries).
        return this.unavailable(call, 'The server is stopping; retry shortly.');
    }
  }

  /**
   * A long poll that saw no commit. The watermark is read before the tail is checked: every
   * transaction at or below it is in this log by then, so a tail still not past the offset means the
   * client holds all of them and may be told so (SE57). Read after the check, it could cover an
   * append in between. A tail past the offset (a wake-up still queued when the timer fired) answers
   * with the data.
   */
  private async timedOut(
    call: ShapeCall,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
  ): Promise<ShapeAnswer> {
    const watermark = this.engine.watermark;
    const current = this.engine.tail(shape.handle);
    if (current !== undefined && compareOffsets(current, offset) > 0) {
      return this.sendLive(call, shape, req, offset, await this.liveRead(shape, offset));
    }
    return await this.emptyLive(call, shape, req, offset, watermark, current);
  }

  /** SE55: a 503 once the held requests reach the limit. */
  private refuseWhenFull(call: ShapeCall): ShapeAnswer | undefined {
    const max = this.options.maxHeldRequests ?? 20_000;
    if (this.held.count < max) return undefined;
    return this.unavailable(call, `${this.held.count} live requests are held already (the limit is ${max}).`);
  }

  /**
   * A long poll that saw no commit: 200 `[up-to-date]`, has-data false, an etag no CDN can revalidate.
   * It announces max(tail, `watermark`), the watermark read before the tail was found not past the
   * offset (SE57): pglite-sync may then commit a transaction other shapes delivered without a refresh.
   */
  private async emptyLive(
    call: ShapeCall,
    shape: ShapeView,
    req: ShapeRequest,
    offset: LogOffset,
    watermark: bigint,
    tail: LogOffset | undefined,
  ): Promise<ShapeAnswer> {
    const tailLsn = (tail ?? offset).tx > 0n ? (tail ?? offset).tx : 0n;
    if (tailLsn > this.engine.watermark) await this.engine.announcedAtLeast(tailLsn);
    const lsn = upToDateLsn(false, watermark, tailLsn);
    const headers: Headers = {
      ...cors(call.origin),
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
      'content-type': JSON_TYPE,
    };
    return { status: 200, headers, body: responseBody([], upToDateMessage(lsn)) };
  }

  /**
   * SSE (SE54): one event per log entry, an up-to-date after each batch that reaches the tail, a
   * keep-alive comment after silence, closed after the SSE timeout or when the shape rotates (the
   * client's next request then gets its 409).
   */
  private sse(call: ShapeCall, shape: ShapeView, req: ShapeRequest, offset: LogOffset): ShapeAnswer {
    const full = this.refuseWhenFull(call);
    if (full) return full;
    // Held from here, not from the first event read: the 503 limit counts streams not yet read. A
    // stream whose reader left before reading is released by the leaving (its finally never runs).
    const held = this.held.hold(call.client);
    held.addEventListener('abort', { handleEvent: () => this.held.release(held) });
    return {
      status: 200,
      headers: {
        ...cors(call.origin),
        'content-type': 'text/event-stream',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'cache-control': cacheControl({ kind: 'live-sse' }, this.cacheConfig),
        'electric-handle': shape.handle,
        'electric-offset': formatOffset(offset),
        'electric-cursor': this.cursor(req),
      },
      body: this.events(call, held, shape, offset),
    };
  }

  private async *events(
    call: ShapeCall,
    held: HeldRequest,
    shape: ShapeView,
    offset: LogOffset,
  ): AsyncGenerator<string> {
    try {
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
          yield text;
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
          yield ': keep-alive\n\n';
        } else if (outcome !== 'changed') break;
      }
    } catch (error) {
      // A rotation, or the engine stopping while a read waited for the watermark: the stream just ends.
      if (!isShapeNotFound(error) && !(error instanceof ShapeEngineError))
        call.log?.error({ err: error }, 'SSE stream failed');
    } finally {
      this.held.release(held);
    }
  }

  /** 409 must-refetch with the definition's current handle, made if need be (SE34). */
  private async mustRefetch(
    call: ShapeCall,
    definition: ShapeDefinition | Validated<ShapeRequest>,
  ): Promise<ShapeAnswer> {
    let fresh: ShapeView | undefined;
    const current =
      'ok' in definition ? (definition.ok ? definition.value.definition : undefined) : definition;
    try {
      fresh = current ? await this.engine.shapeFor(current) : undefined;
    } catch {
      fresh = undefined;
    }
    const headers: Headers = {
      ...cors(call.origin),
      'cache-control': cacheControl(
        { kind: 'must-refetch', hasNewHandle: fresh !== undefined },
        this.cacheConfig,
      ),
      'content-type': JSON_TYPE,
    };
    if (fresh) headers['electric-handle'] = fresh.handle;
    return { status: 409, headers, body: MUST_REFETCH_BODY };
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

  private error(
    call: Pick<ShapeCall, 'origin'>,
    status: number,
    body: unknown,
    extra: Headers = {},
  ): ShapeAnswer {
    return {
      status,
      headers: {
        ...cors(call.origin),
        'cache-control': cacheControl({ kind: 'error' }),
        'surrogate-control': 'no-store',
        'content-type': JSON_TYPE,
        ...extra,
      },
      body: JSON.stringify(body),
    };
  }

  private invalid(call: Pick<ShapeCall, 'origin'>, error: InvalidRequest): ShapeAnswer {
    return this.error(call, 400, error.body);
  }

  private outOfBounds(call: Pick<ShapeCall, 'origin'>): ShapeAnswer {
    return this.error(call, 400, OUT_OF_BOUNDS_BODY);
  }

  private unauthorized(call: Pick<ShapeCall, 'origin'>): ShapeAnswer {
    return this.error(call, 401, UNAUTHORIZED_BODY);
  }

  /** 503 + Retry-After (SE55): starting, too many creations or held requests, snapshot failure. */
  private unavailable(call: ShapeCall, message: string): ShapeAnswer {
    return this.error(
      call,
      503,
      { code: ErrorCode.unavailable, message },
      { 'retry-after': String(this.options.retryAfterSeconds ?? 5) },
    );
  }

  // ---- DELETE, OPTIONS, health ----

  /** DELETE /v1/shape (SE34): only with SHAPE_ALLOW_DELETE=true; by handle, or by definition. */
  async delete(call: Omit<ShapeCall, 'client'>): Promise<ShapeAnswer> {
    const { query } = call;
    const headers: Headers = {
      ...cors(call.origin),
      'cache-control': cacheControl({ kind: 'no-cache' }),
    };
    const json = (status: number, body: unknown): ShapeAnswer => ({
      status,
      headers: { ...headers, 'content-type': JSON_TYPE },
      body: JSON.stringify(body),
    });
    if (!this.secretAccepted(query)) return this.unauthorized(call);
    if (!this.options.config.allowDelete) {
      return json(405, {
        code: ErrorCode.forbidden,
        message: 'Deleting shapes is disabled; start the server with SHAPE_ALLOW_DELETE=true to allow it.',
      });
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
    if (!definition.ok) return this.invalid(call, definition.error);
    const target = handle ?? this.engine.currentHandle(definition.value);
    const shape = target === undefined ? undefined : this.engine.find(target);
    if (
      !shape ||
      (handle === undefined && shape.definition.key !== definition.value.key) ||
      shape.definition.table.schema !== definition.value.table.schema ||
      shape.definition.table.name !== definition.value.table.name
    ) {
      return json(404, {
        code: ErrorCode.notFound,
        message: 'No such shape: it was already deleted, rotated or never created.',
      });
    }
    this.engine.deleteShape(shape.handle);
    return { status: 202, headers, body: undefined };
  }

  preflight(origin: string | undefined, requestedHeaders: string | undefined): ShapeAnswer {
    return { status: 204, headers: preflightHeaders(origin, requestedHeaders), body: undefined };
  }

  /** `{"status":"active"}` once the stream runs; 202 `starting` before (SE36). */
  health(call: Omit<ShapeCall, 'client'>): ShapeAnswer {
    if (!this.secretAccepted(call.query)) return this.unauthorized(call);
    const headers: Headers = {
      ...cors(call.origin),
      'cache-control': 'no-cache, no-store, must-revalidate',
      'content-type': JSON_TYPE,
    };
    const active = this.engine.ready;
    return {
      status: active ? 200 : 202,
      headers,
      body: JSON.stringify({ status: active ? 'active' : 'starting' }),
    };
  }
}
