// The server's account API (sync-server/src/auth/SPEC.md) as the app calls it: every call ends in a
// closed set of results, `ok` or an AuthFailure (offline, network, or refused with the typed code),
// never a throw. Bodies are read with zod, so an unexpected answer is a failure, not a crash.
import { ErrorCode } from '@hearth/schema/errors';
import { z } from 'zod';

/** The part of `GET /api/me` (AC5) the app keeps; unknown fields are ignored so the server may grow. */
export const meBody = z.object({
  user: z.object({ id: z.string(), displayName: z.string() }),
  email: z.string().nullable().optional(),
  roles: z.object({ site: z.enum(['member', 'moderator']) }),
});
export type MeBody = z.infer<typeof meBody>;

export const providersBody = z.object({
  password: z.boolean(),
  providers: z.array(z.object({ name: z.string(), label: z.string(), url: z.string() })),
});
export interface OidcProvider {
  readonly name: string;
  readonly label: string;
  /** Same-origin path that starts the provider's sign-in: a navigation, not a fetch (OI2). */
  readonly url: string;
}

const errorBody = z.object({ code: z.string(), message: z.string() });

export type AuthFailure =
  | { readonly kind: 'offline' }
  | { readonly kind: 'network'; readonly detail: string }
  /** The server agreed, but this device's replica could not be updated (it failed to open, say). */
  | { readonly kind: 'device'; readonly detail: string }
  | {
      readonly kind: 'refused';
      readonly status: number;
      /** An ErrorCode from schema/src/errors.ts; screens switch on it, never on the message. */
      readonly code: string;
      readonly message: string;
      /** From `Retry-After` on a 429 (RL1). */
      readonly retryAfterSeconds: number | null;
    };

export type AuthResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: AuthFailure };

const ok = <T>(value: T): AuthResult<T> => ({ ok: true, value });
const failed = <T>(failure: AuthFailure): AuthResult<T> => ({ ok: false, failure });

/** `Retry-After` as seconds (the server sends delta-seconds; an HTTP date is read too). */
export function retryAfterSeconds(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A refusal as the server typed it, or one made from the status when the body is not `{code,message}`. */
export function readRefusal(status: number, body: unknown, retryAfter: number | null): AuthFailure {
  const parsed = errorBody.safeParse(body);
  if (parsed.success) return { kind: 'refused', status, ...parsed.data, retryAfterSeconds: retryAfter };
  return {
    kind: 'refused',
    status,
    code:
      status === 429
        ? ErrorCode.rateLimited
        : status === 401
          ? ErrorCode.unauthenticated
          : status >= 500
            ? ErrorCode.unavailable
            : ErrorCode.badRequest,
    message: '',
    retryAfterSeconds: retryAfter,
  };
}

/** Keeps only providers whose sign-in path is ours: the list comes over the network (invariant 1). */
export function readProviders(body: unknown): readonly OidcProvider[] {
  const parsed = providersBody.safeParse(body);
  if (!parsed.success) return [];
  return parsed.data.providers
    .filter((provider) => /^[a-z0-9_-]+$/i.test(provider.name))
    .map((provider) => ({
      name: provider.name,
      label: provider.label.trim() === '' ? provider.name : provider.label,
      url: `/api/auth/oidc/${encodeURIComponent(provider.name)}`,
    }));
}

export interface AuthApi {
  signIn(input: { email: string; password: string }): Promise<AuthResult<MeBody>>;
  signUp(input: { email: string; password: string; displayName: string }): Promise<AuthResult<MeBody>>;
  /** Ends this device's session (SS6); 204 also without one. */
  signOut(): Promise<AuthResult<null>>;
  /** Ends every session of the user (SS6). */
  signOutEverywhere(): Promise<AuthResult<{ revoked: number }>>;
  /** `ok(null)` when the server says nobody is signed in (401). */
  me(): Promise<AuthResult<MeBody | null>>;
  providers(): Promise<AuthResult<readonly OidcProvider[]>>;
}

export interface AuthApiOptions {
  readonly fetch?: typeof fetch;
  readonly online?: () => boolean;
  readonly clock?: () => number;
}

const revokedBody = z.object({ revoked: z.number() });

/** Same-origin calls: the session cookie and the Origin header go along, as the server's CSRF check wants. */
export function httpAuthApi(options: AuthApiOptions = {}): AuthApi {
  const fetchImpl = options.fetch ?? fetch.bind(globalThis);
  const online = options.online ?? (() => navigator.onLine);
  const clock = options.clock ?? Date.now;

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    read: (status: number, body: unknown) => AuthResult<T> | null,
  ): Promise<AuthResult<T>> {
    if (!online()) return failed({ kind: 'offline' });
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      return failed(
        online()
          ? { kind: 'network', detail: error instanceof Error ? error.message : String(error) }
          : { kind: 'offline' },
      );
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const answer = read(response.status, parsed);
    if (answer !== null) return answer;
    return failed(
      readRefusal(response.status, parsed, retryAfterSeconds(response.headers.get('retry-after'), clock())),
    );
  }

  const readMe = (expected: number) => (status: number, body: unknown) => {
    if (status !== expected) return null;
    const parsed = meBody.safeParse(body);
    return parsed.success
      ? ok(parsed.data)
      : failed<MeBody>({
          kind: 'refused',
          status: 502,
          code: ErrorCode.internal,
          message: 'The server answered with an account this version of Hearth cannot read. Reload the page.',
          retryAfterSeconds: null,
        });
  };

  return {
    signIn: (input) => call('POST', '/api/auth/signin', input, readMe(200)),
    signUp: (input) => call('POST', '/api/auth/signup', input, readMe(201)),
    signOut: () =>
      call('POST', '/api/auth/signout', undefined, (status) => (status === 204 ? ok(null) : null)),
    signOutEverywhere: () =>
      call('POST', '/api/auth/signout-all', undefined, (status, body) => {
        if (status !== 200) return null;
        const parsed = revokedBody.safeParse(body);
        return ok({ revoked: parsed.success ? parsed.data.revoked : 0 });
      }),
    me: () =>
      call<MeBody | null>('GET', '/api/me', undefined, (status, body) =>
        status === 401 ? ok(null) : readMe(200)(status, body),
      ),
    providers: () =>
      call('GET', '/api/auth/providers', undefined, (status, body) =>
        status === 200 ? ok(readProviders(body)) : null,
      ),
  };
}
