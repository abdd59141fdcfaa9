// The Shape API on Fastify (SPEC.md SE33–SE37): GET, DELETE and OPTIONS /v1/shape, GET /v1/health.
// The protocol is shape-api.ts's; this file turns requests into calls and writes the answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from '../shape-request';
import type { ClientPresence } from './held-requests';
import { ShapeApi, type ShapeAnswer, type ShapeApiOptions } from './shape-api';

export type ShapeRouteOptions = ShapeApiOptions;

/** The client of a Fastify request: gone once its response closes before being finished. */
function presence(reply: FastifyReply): ClientPresence {
  const response = reply.raw;
  return {
    get gone() {
      return response.destroyed && !response.writableFinished;
    },
    onGone(listener) {
      response.on('close', listener);
    },
  };
}

/** Writes an answer: live ones raw (headers built once for every request one append wakes, SE53). */
async function send(reply: FastifyReply, answer: ShapeAnswer): Promise<FastifyReply> {
  const { body } = answer;
  if (answer.rawHeaders) {
    reply.hijack();
    reply.raw.writeHead(answer.status, answer.rawHeaders as string[]);
    reply.raw.end(body as Buffer | string);
    return reply;
  }
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    return reply.code(answer.status).headers(answer.headers).send(body);
  }
  // SSE: written as events come, until the stream ends or the client leaves.
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(answer.status, answer.headers);
  try {
    for await (const text of body) raw.write(text);
  } finally {
    raw.end();
  }
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
  app.get('/v1/shape', { logLevel: 'warn' }, async (request, reply) =>
    send(
      reply,
      await api.get({
        ...call(request),
        ifNoneMatch: request.headers['if-none-match'],
        client: presence(reply),
        logError: (error, message) => request.log.error({ err: error }, message),
      }),
    ),
  );
  app.delete('/v1/shape', async (request, reply) => send(reply, await api.delete(call(request))));
  app.options('/v1/shape', (request, reply) => {
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
