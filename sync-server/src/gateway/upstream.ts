// Where the gateway gets shapes from (SPEC.md GW4): an interface with two implementations, the
// in-process engine (its Shape API called directly: no request line to outgrow with large id lists,
// and no second parse, route and stream of every poll, SE62) and any Electric-compatible service
// over HTTP (`ELECTRIC_URL`). The gateway's contract tests run against both.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SHAPE_PATH, type ShapeApi } from '../electric/http/shape-api';
import { isStreamed } from '../electric/http/write-answer';

export interface UpstreamResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whole (text or bytes) or streamed (SSE, or any answer of an HTTP upstream). */
  readonly body: string | Buffer | Readable | undefined;
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

function withSecret(query: URLSearchParams, secret: string | undefined): string {
  const search = new URLSearchParams(query);
  if (secret !== undefined) search.set('secret', secret);
  return search.toString();
}

/** The in-process engine's Shape API, with its secret. */
export function inProcessUpstream(api: ShapeApi, secret: string | undefined): ShapeUpstream {
  return {
    async get(query, options) {
      const call: Record<string, string> = Object.fromEntries(query);
      if (secret !== undefined) call.secret = secret;
      // The gateway's client leaving, or the gateway cancelling, ends what the engine holds (SSE, long poll).
      const stop = new AbortController();
      options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
      const answer = await api.get({
        query: call,
        ifNoneMatch: options.ifNoneMatch,
        client: {
          get gone() {
            return stop.signal.aborted;
          },
          onGone(listener) {
            stop.signal.addEventListener('abort', listener, { once: true });
          },
        },
      });
      const stream = isStreamed(answer) ? Readable.from(answer.body) : undefined;
      return {
        status: answer.status,
        headers: answer.headers,
        body: stream ?? (answer.body as string | Buffer | undefined),
        cancel: () => {
          stop.abort();
          stream?.destroy();
        },
      };
    },
  };
}

/** An Electric-compatible Shape API at `baseUrl` (e.g. `http://electric:3000`), with its API secret. */
export function httpUpstream(baseUrl: string, secret: string | undefined): ShapeUpstream {
  const endpoint = new URL(SHAPE_PATH, baseUrl).toString();
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
