// Pure header rules of the shape endpoint (SPEC.md SE36, protocol doc §2.1, §2.3): CORS that exposes
// the electric-* headers (a browser client throws MissingHeadersError without them), the secret check,
// and the exact error bodies Electric writes.
import { hash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '@hearth/schema/errors';
import type { Query } from '../shape-request';

export const EXPOSED_HEADERS = [
  'electric-cursor',
  'electric-handle',
  'electric-has-data',
  'electric-offset',
  'electric-schema',
  'electric-up-to-date',
  'electric-internal-known-error',
  'retry-after',
].join(',');

export const ALLOWED_METHODS = 'GET, POST, HEAD, DELETE, OPTIONS';

/** CORS on every shape response: the request's Origin echoed (or `*`), the electric-* headers exposed. */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  return {
    'access-control-allow-origin': origin ?? '*',
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-expose-headers': EXPOSED_HEADERS,
    ...(origin ? { vary: 'origin' } : {}),
  };
}

/** The preflight answer: 204, a day of max-age, the request headers the client sends. */
export function preflightHeaders(
  origin: string | undefined,
  requested: string | undefined,
): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'access-control-max-age': '86400',
    'access-control-allow-headers': requested ?? 'if-none-match, traceparent, content-type',
  };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[value.length - 1];
}

/**
 * `secret` (or the deprecated `api_secret`) must equal SHAPE_SECRET when one is set. Constant time:
 * digests of equal length are compared, so the comparison says nothing about the secret's length.
 * The secret's digest is made once, here. A request that sends the secret itself is found in a set
 * first (SE59): the lookup hashes what was sent and compares text only on an equal hash, so a guess
 * learns nothing from its timing; anything else is hashed and compared in constant time.
 */
export function secretChecker(secret: string | undefined): (query: Query) => boolean {
  if (secret === undefined) return () => true;
  const digest = (s: string): Buffer => hash('sha256', s, 'buffer');
  const expected = digest(secret);
  const known = new Set<string>([secret]);
  return (query) => {
    const given = single(query.secret) ?? single(query.api_secret);
    if (given === undefined) return false;
    return known.has(given) || timingSafeEqual(digest(given), expected);
  };
}

export function secretAccepted(query: Query, secret: string | undefined): boolean {
  return secretChecker(secret)(query);
}

/** Electric's 401 body, plus Hearth's typed code. */
export const UNAUTHORIZED_BODY = {
  code: ErrorCode.unauthenticated,
  message: 'Unauthorized - Invalid API secret',
} as const;

/** The 400 Electric sends for an offset past the shape's tail (protocol doc §2.4). */
export const OUT_OF_BOUNDS_BODY = {
  message: 'Invalid request',
  errors: { offset: ['out of bounds for this shape'] },
} as const;

/**
 * Query params that make up the shape definition (everything else is per request). One string, built
 * by concatenation: it is worked out on every request, a live poll included (SE53).
 */
export function definitionCacheKey(query: Query, schemaVersion: number): string {
  let params: string[] | undefined;
  for (const k in query) if (k.startsWith('params[')) (params ??= []).push(k);
  let key = JSON.stringify([
    schemaVersion,
    single(query.table),
    single(query.where),
    single(query.columns),
    single(query.replica),
    single(query.log),
  ]);
  if (params) for (const k of params.sort()) key += JSON.stringify([k, single(query[k])]);
  return key;
}
