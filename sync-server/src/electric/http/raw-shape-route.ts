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
import { SHAPE_PATH, type AnswerSink, type ShapeAnswer, type ShapeApi } from './shape-api';
import { isStreamed, ResponsePresence, writeAnswer, writeWhole } from './write-answer';

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

/** A request's response as the call's client and its answer's sink: one object per request. */
class ResponseClient extends ResponsePresence implements AnswerSink {
  constructor(
    response: ServerResponse,
    private readonly log: Logger,
  ) {
    super(response);
  }

  /** A whole answer is written here and now: a woken long poll's inside its wake-up turn (SE64). */
  answer(answer: ShapeAnswer): void {
    if (isStreamed(answer)) writeAnswer(this.response, answer).catch((error: unknown) => this.fail(error));
    else writeWhole(this.response, answer);
  }

  fail(error: unknown): void {
    failed(this.response, this.log, error);
  }
}

export function rawShapeRoute(api: ShapeApi, log: Logger): RawRoute {
  return (request, response) => {
    // Closing: Fastify answers 503 and closes the connection, so clients stop holding the server open.
    if (request.method !== 'GET' || api.closing) return false;
    const url = request.url ?? '';
    const mark = url.indexOf('?');
    if ((mark < 0 ? url : url.slice(0, mark)) !== SHAPE_PATH) return false;
    const query = parseQuery(mark < 0 ? '' : url.slice(mark + 1)) as Query;
    const client = new ResponseClient(response, log);
    api.serve(
      {
        query,
        origin: request.headers.origin,
        ifNoneMatch: request.headers['if-none-match'],
        client,
        log,
      },
      client,
    );
    return true;
  };
}
