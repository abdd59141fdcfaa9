// The Shape API on Fastify (SPEC.md SE33–SE38): GET, POST, DELETE and OPTIONS /v1/shape, GET /v1/health.
// The protocol is shape-api.ts's; this file turns requests into calls and writes the answers. In a
// Hearth process GET /v1/shape is served ahead of Fastify (raw-shape-route.ts, SE63); this route
// serves it wherever that one is not installed (tests on a bare app, HEAD).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from '../shape-request';
import { SHAPE_PATH, ShapeApi, type ShapeAnswer, type ShapeApiOptions } from './shape-api';
import { ResponsePresence, writeAnswer } from './write-answer';

export type ShapeRouteOptions = ShapeApiOptions;

/** A subset's where clause and params, as JSON: far past any real one, short of a memory problem. */
const SUBSET_BODY_LIMIT = 1024 * 1024;

async function send(reply: FastifyReply, answer: ShapeAnswer): Promise<FastifyReply> {
  reply.hijack();
  await writeAnswer(reply.raw, answer);
  return reply;
}

export function shapeRoutes(options: ShapeRouteOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const api = new ShapeApi(options);
    await registerShapeRoutes(app, api);
  };
}

/** The routes of an existing ShapeApi (the one the gateway also calls in-process). */
export async function registerShapeRoutes(app: FastifyInstance, api: ShapeApi): Promise<void> {
  const call = (request: FastifyRequest) => ({
    query: request.query as Query,
    origin: request.headers.origin,
  });
  // Polls are the steady state (a thousand held clients answer every write): two info lines per poll
  // would cost more than the poll. Warnings and errors are still logged.
  app.get(SHAPE_PATH, { logLevel: 'warn' }, async (request, reply) =>
    send(
      reply,
      await api.get({
        ...call(request),
        ifNoneMatch: request.headers['if-none-match'],
        client: new ResponsePresence(reply.raw),
        log: request.log,
      }),
    ),
  );
  // A subset snapshot with its params in a JSON body (SE38); a body that is no object gets Electric's
  // 400, a bad JSON text or one past the limit Fastify's typed 400 / 413.
  app.post(SHAPE_PATH, { bodyLimit: SUBSET_BODY_LIMIT }, async (request, reply) =>
    send(
      reply,
      await api.get({
        ...call(request),
        body: request.body ?? null,
        client: new ResponsePresence(reply.raw),
        log: request.log,
      }),
    ),
  );
  app.delete(SHAPE_PATH, async (request, reply) => send(reply, await api.delete(call(request))));
  app.options(SHAPE_PATH, (request, reply) => {
    const requested = request.headers['access-control-request-headers'];
    return send(
      reply,
      api.preflight(request.headers.origin, typeof requested === 'string' ? requested : undefined),
    );
  });
  app.get('/v1/health', (request, reply) => send(reply, api.health(call(request))));
  // Held requests end when the server closes, or close() would wait out their long poll.
  app.addHook('preClose', (done) => {
    api.closeHeld();
    done();
  });
  await Promise.resolve();
}
