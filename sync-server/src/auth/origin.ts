// CSRF defence (SPEC.md CS1–CS3): a state-changing request under /api must say it comes from one of
// our own pages. Browsers always send Origin on cross-site POSTs and no page can forge it, so a
// mismatch (or no Origin and no Referer at all) is refused before any route runs.
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { ErrorCode } from '@hearth/schema/errors';
import { HttpError } from '../http/errors';
import { asOrigin, DEV_ORIGINS, type AuthConfig } from './config';
import { requestFacts } from './request-facts';

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isApiPath(urlPath: string): boolean {
  return urlPath === '/api' || urlPath.startsWith('/api/');
}

export interface OriginInput {
  method: string;
  /** The path, without the query. */
  path: string;
  origin: string | undefined;
  referer: string | undefined;
  /** Our own origin for this request (PUBLIC_URL, or scheme + Host). */
  ownOrigin: string | undefined;
  config: Pick<AuthConfig, 'allowedOrigins' | 'dev'>;
}

export type OriginVerdict = 'not-checked' | 'allowed' | 'missing' | 'mismatch';

/** The origin a request claims: Origin, else the origin of its Referer; null for `Origin: null`. */
export function claimedOrigin(
  origin: string | undefined,
  referer: string | undefined,
): string | null | undefined {
  if (origin !== undefined) return origin.trim() === 'null' ? null : (asOrigin(origin) ?? null);
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

export function allowedOrigins(ownOrigin: string | undefined, config: OriginInput['config']): Set<string> {
  const allowed = new Set(config.allowedOrigins);
  if (ownOrigin !== undefined) allowed.add(ownOrigin);
  if (config.dev) for (const origin of DEV_ORIGINS) allowed.add(origin);
  return allowed;
}

/** Pure: whether this request passes the origin check, and if not, why. */
export function originVerdict(input: OriginInput): OriginVerdict {
  if (!STATE_CHANGING_METHODS.has(input.method.toUpperCase()) || !isApiPath(input.path)) return 'not-checked';
  const claimed = claimedOrigin(input.origin, input.referer);
  if (claimed === undefined) return 'missing';
  if (claimed === null) return 'mismatch';
  return allowedOrigins(input.ownOrigin, input.config).has(claimed) ? 'allowed' : 'mismatch';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** For other upgrade/GET endpoints that act on the cookie (e.g. /collab WebSockets): same rule, any method. */
export function requestOriginAllowed(request: FastifyRequest, config: AuthConfig): boolean {
  const facts = requestFacts(request, config);
  const claimed = claimedOrigin(headerValue(request.headers.origin), headerValue(request.headers.referer));
  return typeof claimed === 'string' && allowedOrigins(facts.ownOrigin, config).has(claimed);
}

/** The refusal for this request, or undefined when it may go on. */
export function originRefusal(request: FastifyRequest, config: AuthConfig): HttpError | undefined {
  const verdict = originVerdict({
    method: request.method,
    path: request.url.split('?')[0] ?? '/',
    origin: headerValue(request.headers.origin),
    referer: headerValue(request.headers.referer),
    ownOrigin: requestFacts(request, config).ownOrigin,
    config,
  });
  if (verdict === 'missing')
    return new HttpError(
      403,
      ErrorCode.csrfOriginMismatch,
      'This request did not say which site sent it (no Origin or Referer header), so it was refused to ' +
        'protect your account. Send it from the Hearth app, or set the Origin header to its address.',
    );
  if (verdict === 'mismatch')
    return new HttpError(
      403,
      ErrorCode.csrfOriginMismatch,
      'This request came from another site, so it was refused to protect your account. Open Hearth ' +
        'at its own address and try again (an operator can allow more origins with ALLOWED_ORIGINS).',
    );
  return undefined;
}

/**
 * The onRequest hook authRoutes installs on the app: every /api route is covered, whoever wrote it.
 * A read (GET, HEAD, OPTIONS: a shape poll, most requests) is not checked (CS3): it leaves at the
 * method test, before the request facts are worked out. Node and inject() give methods upper-cased.
 */
export function originGuard(config: AuthConfig): onRequestHookHandler {
  return (request, _reply, done) => {
    if (!STATE_CHANGING_METHODS.has(request.method)) {
      done();
      return;
    }
    done(originRefusal(request, config));
  };
}
