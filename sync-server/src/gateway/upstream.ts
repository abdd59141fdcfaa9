// Where the gateway gets shapes from (SPEC.md GW4): an interface with two implementations, the
// in-process engine (its /v1/shape called through Fastify's inject, so large id lists are not held to
// an HTTP request-line limit) and any Electric-compatible service over HTTP (`ELECTRIC_URL`).
// The gateway's contract tests run against both.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyInstance } from 'fastify';

export interface UpstreamResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable;
  /** Stop the upstream response (the client left, or the gateway answers something else). */
  cancel(): void;
}

export interface UpstreamRequestOptions {
  readonly ifNoneMatch?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface ShapeUpstream {
  /**
   * GET the Shape API with this query (the secret is added here); `ifNoneMatch` for 304s; `signal`
   * ends a request still waiting for its head (the in-process engine lets it run out its long poll).
   */
  get(query: URLSearchParams, options: UpstreamRequestOptions): Promise<UpstreamResponse>;
}

export const SHAPE_API_PATH = '/v1/shape';

function withSecret(query: URLSearchParams, secret: string | undefined): string {
  const search = new URLSearchParams(query);
  if (secret !== undefined) search.set('secret', secret);
  return search.toString();
}

function flatHeaders(
  headers: Record<string, string | string[] | number | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}

/** The engine's routes on this Fastify app (registered by startShapeEngine), with its secret. */
export function inProcessUpstream(app: FastifyInstance, secret: string | undefined): ShapeUpstream {
  return {
    async get(query, options) {
      const response = await app.inject({
        method: 'GET',
        url: `${SHAPE_API_PATH}?${withSecret(query, secret)}`,
        headers: options.ifNoneMatch === undefined ? {} : { 'if-none-match': options.ifNoneMatch },
        // Resolves at the head, so SSE and held long polls stream through.
        payloadAsStream: true,
      });
      const body = response.stream();
      return {
        status: response.statusCode,
        headers: flatHeaders(response.headers),
        body,
        cancel: () => {
          // Closing the engine's response ends what it holds for this request (SSE, long poll).
          response.raw.res.destroy();
          body.destroy();
        },
      };
    },
  };
}

/** An Electric-compatible Shape API at `baseUrl` (e.g. `http://electric:3000`), with its API secret. */
export function httpUpstream(baseUrl: string, secret: string | undefined): ShapeUpstream {
  const endpoint = new URL(SHAPE_API_PATH, baseUrl).toString();
  return {
    async get(query, options) {
      const abort = new AbortController();
      options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
      const response = await fetch(`${endpoint}?${withSecret(query, secret)}`, {
        headers: options.ifNoneMatch === undefined ? {} : { 'if-none-match': options.ifNoneMatch },
        signal: abort.signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      const body = response.body ? Readable.fromWeb(response.body as WebReadableStream) : Readable.from([]);
      // An aborted fetch errors its body: nobody reads it any more.
      body.on('error', () => undefined);
      return {
        status: response.status,
        headers,
        body,
        cancel: () => {
          abort.abort();
          body.destroy();
        },
      };
    },
  };
}
