// The gateway's pure core (SPEC.md GW2, GW3, GW5): what of a client's query may pass to the shape
// service, the upstream query built from a named shape, and the response headers a client gets.
import { ShapeErrorCode } from '@hearth/schema/shapes/errors';
import type { ShapeAccess, ShapeQuery } from '@hearth/schema/shapes/index';

/** Protocol parameters, passed through as they are (the official client's proxy list, less subsets). */
export const PASS_THROUGH = [
  'offset',
  'handle',
  'live',
  'live_sse',
  'experimental_live_sse',
  'cursor',
  'expired_handle',
  'cache-buster',
  'log',
] as const;

/** Parameters that define a shape or authorize the caller: the server's alone (Invariant 1). */
const REFUSED = new Set(['table', 'where', 'columns', 'params', 'replica', 'secret', 'api_secret']);

function refused(name: string): boolean {
  return REFUSED.has(name) || name.startsWith('params[') || name.startsWith('subset__');
}

export type ClientQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

export type ReadQuery =
  | { readonly ok: true; readonly pass: readonly (readonly [string, string])[]; readonly live: boolean }
  | { readonly ok: false; readonly code: ShapeErrorCode; readonly message: string };

/** GW2: keeps the protocol parameters (the last value of a repeated one), refuses shape-defining ones. */
export function readClientQuery(query: ClientQuery): ReadQuery {
  const names = Object.keys(query).filter(refused).sort();
  if (names.length > 0) {
    return {
      ok: false,
      code: ShapeErrorCode.shapeParamRefused,
      message:
        `The server decides a shape's table, columns, rows and parameters; remove ${names.join(', ')} ` +
        'from the request and ask for the shape by name only.',
    };
  }
  const pass: [string, string][] = [];
  for (const name of PASS_THROUGH) {
    const value = query[name];
    const last = typeof value === 'string' ? value : value?.[value.length - 1];
    if (last !== undefined) pass.push([name, last]);
  }
  const live = pass.find(([name]) => name === 'live');
  return { ok: true, pass, live: live !== undefined && live[1] !== 'false' };
}

const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** GW3: the Shape API query of a named shape for one viewer, plus the client's protocol parameters. */
export function upstreamQuery(
  query: ShapeQuery,
  pass: readonly (readonly [string, string])[] = [],
): URLSearchParams {
  const search = new URLSearchParams();
  search.set('table', query.table);
  search.set('columns', query.columns.map(quoteIdentifier).join(','));
  if (query.where !== null) search.set('where', query.where);
  for (const [key, value] of Object.entries(query.params)) search.set(`params[${key}]`, value);
  for (const [name, value] of pass) search.set(name, value);
  return search;
}

/**
 * How a response may be cached (GW5): `shared` (one shape for everyone), `per-cookie` (the anonymous
 * slice of a viewer-dependent shape: the same for every anonymous client, never for a signed-in one),
 * `private` (one viewer's rows).
 */
export type CachePolicy = 'shared' | 'per-cookie' | 'private';

export function cachePolicy(access: ShapeAccess, signedIn: boolean): CachePolicy {
  if (access === 'everyone') return 'shared';
  return signedIn ? 'private' : 'per-cookie';
}

/** `public, max-age=60, s-maxage=3600` -> `private, max-age=60`: no shared cache may keep it. */
export function privateCacheControl(value: string | undefined): string {
  const kept = (value ?? '')
    .split(',')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && !/^(public|private|s-maxage=.*)$/i.test(directive));
  return ['private', ...(kept.length > 0 ? kept : ['no-cache'])].join(', ');
}

/** Hop-by-hop headers, the length (the body is re-streamed), and the shape service's own CORS answer. */
function dropped(name: string): boolean {
  return (
    /^(connection|keep-alive|transfer-encoding|content-length|date|vary)$/.test(name) ||
    name.startsWith('access-control-')
  );
}

/** GW5: the upstream's headers (electric-*, etag, cache-control…) under the gateway's cache policy. */
export function clientHeaders(
  upstream: Readonly<Record<string, string>>,
  policy: CachePolicy,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(upstream)) {
    const lower = name.toLowerCase();
    if (!dropped(lower)) headers[lower] = value;
  }
  if (policy !== 'shared') headers.vary = 'Cookie';
  if (policy === 'private') {
    headers['cache-control'] = privateCacheControl(headers['cache-control']);
    // Some CDNs read Surrogate-Control before Cache-Control: one viewer's rows are never theirs to keep.
    headers['surrogate-control'] = 'no-store';
  }
  return headers;
}

/** The must-refetch answer the gateway gives itself when visibility changed during a live request. */
export function mustRefetchHeaders(policy: CachePolicy, handle: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'cache-control': policy === 'private' ? 'private, no-store' : 'no-store',
    'surrogate-control': 'no-store',
  };
  if (policy !== 'shared') headers.vary = 'Cookie';
  if (handle !== undefined) headers['electric-handle'] = handle;
  return headers;
}
