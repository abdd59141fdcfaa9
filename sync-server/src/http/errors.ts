// Every HTTP error leaves the server as `{ code, message }` with a code from schema's ErrorCode
// (STYLE.md #5). Route code throws HttpError; anything else becomes a logged 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type ErrorBody } from '@hearth/schema/errors';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, body too large) by status. */
function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 404:
      return ErrorCode.notFound;
    case 413:
      return ErrorCode.payloadTooLarge;
    case 429:
      return ErrorCode.rateLimited;
    default:
      return ErrorCode.badRequest;
  }
}

export function toErrorBody(error: FastifyError | HttpError | Error): { status: number; body: ErrorBody } {
  if (error instanceof HttpError)
    return { status: error.statusCode, body: { code: error.code, message: error.message } };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return { status: 400, body: { code: ErrorCode.validationFailed, message: fastifyError.message } };
  }
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { status, body: { code: codeForStatus(status), message: error.message } };
  return {
    status: 500,
    body: {
      code: ErrorCode.internal,
      message: 'Something went wrong on the server. It was logged; please try again.',
    },
  };
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { status, body } = toErrorBody(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(status).send(body);
}
