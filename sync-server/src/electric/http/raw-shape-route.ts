// GET /v1/shape straight off node:http, ahead of Fastify (SPEC.md SE63). Every live client polls it
// once per change it receives: at a thousand clients Fastify's request and reply objects, routing,
// hooks and per-request logger were a tenth of the server's CPU per poll, for a route that needs none
// of them. Everything else (DELETE, OPTIONS, health, HEAD) stays on the Fastify routes.
import type { ServerResponse } from 'node:http';
import { parse as parseQuery } from 'fast-querystring';
import { ErrorCode } from '@hearth/schema/errors';
import type { RawRoute } from '../../http/app';
import type { Logger } from '../../log';
import type { Query } from '../shape-request';
import { SHAPE_PATH, type ShapeApi } from './shape-api';
import { ResponsePresence, writeAnswer } from './write-answer';

function failed(response: ServerResponse, log: Logger, error: unknown): void {
  log.error({ err: error }, 'GET /v1/shape failed');
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({
    code: ErrorCode.internal,
    message: 'The shape service failed on this request; the client retries. See the server log.',
  });
  response.writeHead(500, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function rawShapeRoute(api: ShapeApi, log: Logger): RawRoute {
  return (request, response) => {
    // Closing: Fastify answers 503 and closes the connection, so clients stop holding the server open.
    if (request.method !== 'GET' || api.closing) return false;
    const url = request.url ?? '';
    const mark = url.indexOf('?');
    if ((mark < 0 ? url : url.slice(0, mark)) !== SHAPE_PATH) return false;
    const query = parseQuery(mark < 0 ? '' : url.slice(mark + 1)) as Query;
    api
      .get({
        query,
        origin: request.headers.origin,
        ifNoneMatch: request.headers['if-none-match'],
        client: new ResponsePresence(response),
        log,
      })
      .then((answer) => writeAnswer(response, answer))
      .catch((error: unknown) => failed(response, log, error));
    return true;
  };
}
