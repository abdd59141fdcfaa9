// The HTTP surface of accounts (SPEC.md): sign-up, sign-in, sign-out (this device / all devices),
// /api/me, the provider list and the OpenID Connect redirect + callback. `authRoutes(deps)` also puts
// the origin check on every /api route and the session lookup on the app for `resolveSession`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { ErrorCode } from '@hearth/schema/errors';
import { errorHandler, HttpError } from '../http/errors';
import {
  AccountDeleted,
  createPasswordAccount,
  EmailTakenDuringSignup,
  emailKey,
  findPasswordLogin,
  linkOidcIdentity,
  loadMe,
  markIdentityUsed,
  type MeBody,
} from './accounts';
import type { AuthConfig } from './config';
import { beginOidcSignIn, finishOidcSignIn, OidcFailure, OidcProviders } from './oidc';
import { originGuard } from './origin';
import {
  dummyPasswordHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  passwordProblem,
  verifyPassword,
} from './password';
import { AuthRateLimiter, DEFAULT_RATE_LIMITS, RateLimitedError, type AuthRateLimits } from './rate-limit';
import { requestFacts } from './request-facts';
import { SessionCache, type NotificationWatch } from './session-cache';
import {
  clearedOidcCookie,
  clearedSessionCookie,
  OIDC_COOKIE,
  oidcCookie,
  readCookie,
  sessionCookie,
} from './session-logic';
import {
  createSession,
  requireSessionOf,
  resolveSession,
  revokeAllSessions,
  revokeSession,
  revokeSessionByToken,
  sessionToken,
  type AuthContext,
} from './sessions';

export interface AuthDeps {
  pool: pg.Pool;
  /** `config.auth` from parseConfig. */
  config: AuthConfig;
  /** Tests move time instead of waiting; the server uses the wall clock. */
  clock?: () => Date;
  rateLimits?: Partial<AuthRateLimits>;
  /**
   * SS8–SS11: the database watch (db/watch.ts) listening on SESSION_CACHE_CHANNELS. With it,
   * resolved sessions are cached; without it, every request reads its session.
   */
  watch?: NotificationWatch;
}

const email = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .max(320, { error: 'That email address is too long.' })
  .pipe(z.email({ error: 'Enter a valid email address, e.g. ana@example.org.' }));

const signupBody = z.strictObject({
  email,
  password: z.string({ error: 'Choose a password.' }),
  displayName: z
    .string({ error: 'Enter the name people will see.' })
    .trim()
    .min(1, { error: 'Enter the name people will see.' })
    .max(80, { error: 'Use at most 80 characters for your name.' }),
});

const signinBody = z.strictObject({
  email,
  password: z
    .string({ error: 'Enter your password.' })
    .min(1, { error: 'Enter your password.' })
    .max(PASSWORD_MAX_LENGTH * 4, { error: 'That password is too long.' }),
});

/** AC6: a 400 that names each field and what to do; values (passwords) are never echoed. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}.`
      : issue.path.length === 0
        ? 'Send a JSON object.'
        : `${issue.path.join('.')}: ${issue.message}`,
  );
  throw new HttpError(400, ErrorCode.validationFailed, problems.join(' '));
}

async function inTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query('begin');
    const result = await work(tx);
    await tx.query('commit');
    return result;
  } catch (error) {
    await tx.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    tx.release();
  }
}

const SIGNIN_FAILED = 'That email and password do not match an account. Check both and try again.';
const SIGNUP_REFUSED =
  'We could not create an account with this email. If you already have one, sign in instead.';

/** Where the browser lands after an OpenID Connect sign-in that did not succeed. */
export function oidcErrorLocation(code: ErrorCode): string {
  return `/?auth_error=${encodeURIComponent(code)}`;
}

export function authRoutes(deps: AuthDeps): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const { pool, config } = deps;
    const clock = deps.clock ?? (() => new Date());
    const limits = new AuthRateLimiter({ ...DEFAULT_RATE_LIMITS, ...deps.rateLimits });
    const providers = new OidcProviders(config.oidcProviders);
    let dummyHash: Promise<string> | undefined;
    const cache = deps.watch === undefined ? undefined : new SessionCache();
    const context: AuthContext = { pool, config, clock, ...(cache === undefined ? {} : { cache }) };
    if (cache !== undefined && deps.watch !== undefined) {
      const unfollow = cache.follow(deps.watch);
      app.addHook('onClose', (_instance, done) => {
        unfollow();
        done();
      });
    }

    app.decorate('hearthAuth', context);
    // CS1: on the app itself (not in the scope below), so every /api route is covered.
    app.addHook('onRequest', originGuard(config));

    /** SS4: a new session, and the one a cookie named before (whoever's) ends. */
    async function startSession(request: FastifyRequest, reply: FastifyReply, userId: string, now: Date) {
      await revokeSessionByToken(pool, sessionToken(request), now, cache);
      const facts = requestFacts(request, config);
      const session = await createSession(pool, {
        userId,
        userAgent: request.headers['user-agent'],
        ip: facts.ip,
        now,
      });
      void reply.header('set-cookie', sessionCookie(session.token, session.expiresAt, now, facts));
    }

    async function me(userId: string): Promise<MeBody> {
      const body = await loadMe(pool, userId);
      if (body === null)
        throw new HttpError(401, ErrorCode.unauthenticated, 'This account no longer exists. Sign in again.');
      return body;
    }

    await app.register((scope, _options, done) => {
      scope.addHook('onSend', (_request, reply, payload, next) => {
        void reply.header('cache-control', 'no-store');
        next(null, payload);
      });
      scope.setErrorHandler((error: FastifyError, request, reply) => {
        if (error instanceof RateLimitedError)
          void reply.header('retry-after', String(error.retryAfterSeconds));
        return errorHandler(error, request, reply);
      });

      scope.post('/api/auth/signup', async (request, reply) => {
        const body = parseBody(signupBody, request.body);
        // The policy first: trying a few passwords that are too weak must not use up the limits.
        const problem = passwordProblem(body.password, body.email);
        if (problem !== null) throw new HttpError(400, ErrorCode.weakPassword, problem.message);
        const facts = requestFacts(request, config);
        await limits.beforeSignup(facts.ip, emailKey(body.email));
        // Hashed before the email is looked at: a taken email costs the same time (AC3).
        const passwordHash = await hashPassword(body.password);
        const now = clock();
        const result = await inTransaction(pool, (tx) =>
          createPasswordAccount(tx, { email: body.email, displayName: body.displayName, passwordHash, now }),
        ).catch((error: unknown) => {
          if (error instanceof EmailTakenDuringSignup) return { created: false as const };
          throw error;
        });
        if (!result.created) throw new HttpError(409, ErrorCode.signupRefused, SIGNUP_REFUSED);
        await startSession(request, reply, result.userId, now);
        request.log.info({ userId: result.userId }, 'account created');
        return reply.code(201).send(await me(result.userId));
      });

      scope.post('/api/auth/signin', async (request, reply) => {
        const body = parseBody(signinBody, request.body);
        const facts = requestFacts(request, config);
        const account = emailKey(body.email);
        await limits.beforeSignin(facts.ip, account);
        const login = await findPasswordLogin(pool, body.email);
        // AC4: an unknown email (or an account without a password) still costs one argon2 verify.
        const verified = await verifyPassword(
          login?.passwordHash ?? (await (dummyHash ??= dummyPasswordHash())),
          body.password,
        );
        if (login === null || !verified) {
          await limits.signinFailed(account);
          throw new HttpError(401, ErrorCode.invalidCredentials, SIGNIN_FAILED);
        }
        await limits.signinSucceeded(account);
        const now = clock();
        await markIdentityUsed(pool, login.identityId, now);
        await startSession(request, reply, login.userId, now);
        return reply.code(200).send(await me(login.userId));
      });

      scope.post('/api/auth/signout', async (request, reply) => {
        const session = await resolveSession(request);
        if (session !== null) await revokeSession(pool, session.sessionId, clock(), cache);
        void reply.header('set-cookie', clearedSessionCookie(requestFacts(request, config)));
        return reply.code(204).send();
      });

      scope.post('/api/auth/signout-all', async (request, reply) => {
        const session = await requireSessionOf(request);
        const revoked = await revokeAllSessions(pool, session.userId, clock(), cache);
        void reply.header('set-cookie', clearedSessionCookie(requestFacts(request, config)));
        return reply.code(200).send({ revoked });
      });

      scope.get('/api/me', async (request, reply) => {
        const session = await requireSessionOf(request);
        const body = await me(session.userId);
        const token = sessionToken(request);
        // SS3: the cookie's lifetime slides with the session's (the app asks for /api/me at start).
        if (token !== undefined)
          void reply.header(
            'set-cookie',
            sessionCookie(token, session.expiresAt, clock(), requestFacts(request, config)),
          );
        return reply.send(body);
      });

      scope.get('/api/auth/providers', (_request, reply) =>
        reply.send({ password: true, providers: providers.list() }),
      );

      scope.get<{ Params: { provider: string } }>('/api/auth/oidc/:provider', async (request, reply) => {
        const provider = providers.get(request.params.provider);
        if (provider === undefined)
          return reply.redirect(oidcErrorLocation(ErrorCode.oidcUnknownProvider), 302);
        const facts = requestFacts(request, config);
        if (facts.ownOrigin === undefined)
          throw new HttpError(400, ErrorCode.badRequest, 'The request has no Host header; set PUBLIC_URL.');
        try {
          const { url, state } = await beginOidcSignIn(pool, providers, provider, facts.ownOrigin, clock());
          void reply.header('set-cookie', oidcCookie(state, facts));
          return reply.redirect(url.href, 302);
        } catch (error) {
          if (!(error instanceof OidcFailure)) throw error;
          request.log.warn(
            { err: error.cause, provider: provider.name },
            `OIDC sign-in not started: ${error.message}`,
          );
          return reply.redirect(oidcErrorLocation(error.code), 302);
        }
      });

      scope.get<{ Params: { provider: string } }>(
        '/api/auth/oidc/:provider/callback',
        async (request, reply) => {
          const provider = providers.get(request.params.provider);
          if (provider === undefined)
            return reply.redirect(oidcErrorLocation(ErrorCode.oidcUnknownProvider), 302);
          const facts = requestFacts(request, config);
          if (facts.ownOrigin === undefined)
            throw new HttpError(400, ErrorCode.badRequest, 'The request has no Host header; set PUBLIC_URL.');
          // The state cookie is single use, whatever happens next.
          void reply.header('set-cookie', clearedOidcCookie(facts));
          const now = clock();
          try {
            const claims = await finishOidcSignIn(pool, providers, provider, {
              ownOrigin: facts.ownOrigin,
              search: request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '',
              cookieState: readCookie(request.headers.cookie, OIDC_COOKIE),
              now,
            });
            const outcome = await inTransaction(pool, (tx) => linkOidcIdentity(tx, claims, now));
            // OI5 revoked the account's sessions in that transaction: gone from the cache now (SS9).
            if (outcome.how === 'verified-email' && outcome.removedUnverified > 0)
              cache?.evictUser(outcome.userId);
            await startSession(request, reply, outcome.userId, now);
            request.log.info(
              { userId: outcome.userId, provider: provider.name, how: outcome.how },
              'signed in with OIDC',
            );
            return reply.redirect('/', 302);
          } catch (error) {
            const failure =
              error instanceof OidcFailure
                ? error
                : error instanceof AccountDeleted
                  ? new OidcFailure(ErrorCode.oidcFailed, error.message)
                  : null;
            if (failure === null) throw error;
            request.log.warn(
              { err: failure.cause, provider: provider.name },
              `OIDC sign-in refused: ${failure.message}`,
            );
            return reply.redirect(oidcErrorLocation(failure.code), 302);
          }
        },
      );
      done();
    });
  };
}
