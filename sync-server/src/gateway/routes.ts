// `GET /api/shapes/:name` (SPEC.md GW1–GW7): a named shape for the session's viewer. The server builds
// table, columns, where and params from the viewer's facts; the client's query contributes only
// protocol parameters. The shape service answers (in-process engine or Electric); a live answer that
// waited while the viewer's visibility changed becomes a 409 must-refetch.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import { ShapeErrorCode } from '@hearth/schema/shapes/errors';
import { SHAPE_NAMES, shapeNamed, type NamedShape } from '@hearth/schema/shapes/index';
import type { SiteRole } from '../auth';
import type { ShapeApi } from '../electric/http/shape-api';
import { MUST_REFETCH_BODY } from '../electric/messages';
import {
  cachePolicy,
  clientHeaders,
  mustRefetchHeaders,
  readClientQuery,
  upstreamQuery,
  type CachePolicy,
  type ClientQuery,
} from './request';
import { httpUpstream, inProcessUpstream, type ShapeUpstream, type UpstreamResponse } from './upstream';
import { ANONYMOUS_ASKER, ViewBuilder, type Asker, type ShapeView } from './viewer';

export const SHAPES_PATH = '/api/shapes';

export interface GatewayDeps {
  readonly pool: Pick<pg.Pool, 'query'>;
  /** The session of a request (auth's `resolveSession`), or null when nobody is signed in. */
  readonly resolveSession: (
    request: FastifyRequest,
  ) => Promise<{ readonly userId: string; readonly siteRole: SiteRole } | null>;
  /** The in-process engine's Shape API and its secret. */
  readonly shapes?: { readonly api: ShapeApi; readonly secret: string | undefined } | undefined;
  /** A real Electric instead of the in-process engine (`ELECTRIC_URL`, `ELECTRIC_SECRET`). */
  readonly electric?: { readonly url: string; readonly secret: string | undefined } | undefined;
  /** Another shape service (tests); overrides both of the above. */
  readonly upstream?: ShapeUpstream;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply
    .code(status)
    .headers({ 'cache-control': 'no-store', 'surrogate-control': 'no-store' })
    .type(JSON_TYPE)
    .send({ code, message });
}

/** The client left: nothing to answer; the socket is closed already. */
function gone(reply: FastifyReply): FastifyReply {
  reply.hijack();
  reply.raw.end();
  return reply;
}

function upstreamOf(deps: GatewayDeps): ShapeUpstream {
  if (deps.upstream) return deps.upstream;
  if (deps.electric) return httpUpstream(deps.electric.url, deps.electric.secret);
  if (deps.shapes) return inProcessUpstream(deps.shapes.api, deps.shapes.secret);
  throw new Error(
    'the gateway needs a shape service: the in-process engine, ELECTRIC_URL or another upstream',
  );
}

export function gatewayRoutes(deps: GatewayDeps): (app: FastifyInstance) => void {
  return (app) => {
    const upstream = upstreamOf(deps);
    const gateway = new Gateway(deps, upstream, new ViewBuilder(deps.pool));
    // Every replica polls its shapes all day: per-poll info lines would drown the log (warnings stay).
    app.get(`${SHAPES_PATH}/:name`, { logLevel: 'warn' }, (request, reply) => gateway.get(request, reply));
  };
}

class Gateway {
  constructor(
    private readonly deps: GatewayDeps,
    private readonly upstream: ShapeUpstream,
    private readonly views: ViewBuilder,
  ) {}

  async get(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const { name } = request.params as { name: string };
    const shape = shapeNamed(name);
    if (!shape) {
      return fail(
        reply,
        404,
        ShapeErrorCode.unknownShape,
        `No shape is named ${JSON.stringify(name)}. Ask for one of: ${SHAPE_NAMES.join(', ')}.`,
      );
    }
    // [GW2] Only protocol parameters pass; shape-defining ones are refused before anything runs.
    const client = readClientQuery(request.query as ClientQuery);
    if (!client.ok) return fail(reply, 400, client.code, client.message);

    // [GW1] Anonymous viewers get public shapes and public slices only.
    const session = await this.deps.resolveSession(request);
    if (!session && shape.access === 'signed-in') {
      return fail(
        reply,
        401,
        ErrorCode.unauthenticated,
        `The "${shape.name}" shape is per user: sign in to sync it (your session is missing or ended).`,
      );
    }
    const asker: Asker = session ? { userId: session.userId, siteRole: session.siteRole } : ANONYMOUS_ASKER;
    const policy = cachePolicy(shape.access, session !== null);
    const view = await this.views.view(shape, asker);

    // The client may leave while the shape service holds its request.
    let answer: UpstreamResponse | undefined;
    const left = new AbortController();
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      left.abort();
      answer?.cancel();
    });
    const ifNoneMatch = request.headers['if-none-match'];
    try {
      answer = await this.upstream.get(upstreamQuery(view.query, client.pass), {
        ifNoneMatch,
        signal: left.signal,
      });
    } catch (error) {
      if (left.signal.aborted) return gone(reply);
      request.log.warn({ err: error }, 'the shape service could not be reached');
      return fail(
        reply,
        502,
        ShapeErrorCode.upstreamFailed,
        'The shape service did not answer; the client retries on its own. If it lasts, check ELECTRIC_URL or the server log.',
      );
    }
    if (left.signal.aborted) {
      answer.cancel();
      return gone(reply);
    }

    const sse = answer.headers['content-type']?.startsWith('text/event-stream') === true;
    // [GW6] A live answer may have waited while the viewer's visibility changed: check again.
    if (client.live && !sse && answer.status === 200 && view.revocable) {
      const now = await this.views.view(shape, asker);
      if (now.fingerprint !== view.fingerprint) {
        answer.cancel();
        return this.mustRefetch(reply, now, policy, client.pass);
      }
    }

    void reply.code(answer.status).headers(clientHeaders(answer.headers, policy));
    if (answer.status === 304) {
      answer.cancel();
      return reply.send();
    }
    const body = sse && view.revocable ? this.guardStream(answer, shape, asker, view) : answer.body;
    return reply.send(body);
  }

  /**
   * [GW6] SSE: before each batch of events goes out, the viewer's visibility is checked again; when it
   * changed the stream ends, and the client's reconnect on the old handle gets its 409.
   */
  private guardStream(answer: UpstreamResponse, shape: NamedShape, asker: Asker, view: ShapeView): Readable {
    const views = this.views;
    async function* guarded(): AsyncGenerator<Buffer> {
      for await (const chunk of answer.body as AsyncIterable<Buffer | string>) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (bytes.includes('data:')) {
          const now = await views.view(shape, asker);
          if (now.fingerprint !== view.fingerprint) {
            answer.cancel();
            return;
          }
        }
        yield bytes;
      }
    }
    return Readable.from(guarded());
  }

  /** [GW6] 409 must-refetch, with the handle of the viewer's current definition when the service gives one. */
  private async mustRefetch(
    reply: FastifyReply,
    view: ShapeView,
    policy: CachePolicy,
    pass: readonly (readonly [string, string])[],
  ): Promise<FastifyReply> {
    let handle: string | undefined;
    try {
      const log = pass.filter(([name]) => name === 'log');
      const current = await this.upstream.get(upstreamQuery(view.query, [...log, ['offset', 'now']]), {});
      handle = current.status === 200 ? current.headers['electric-handle'] : undefined;
      current.cancel();
    } catch {
      handle = undefined;
    }
    return reply
      .code(409)
      .headers(mustRefetchHeaders(policy, handle))
      .type(JSON_TYPE)
      .send(MUST_REFETCH_BODY);
  }
}
