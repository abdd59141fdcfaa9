// `POST /api/mutations` (SPEC.md): session first (401 before the body is even parsed), then the whole
// body planned (400 refuses the batch, nothing applied), then applied by group commit (WP13).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import { MUTATION_LIMITS, mutationNamed, type MutationResponse } from '@hearth/schema/mutations/index';
import type { MutationServices } from '@hearth/schema/mutations/services';
import { HttpError } from '../http/errors';
import type { Caller } from './apply';
import { GroupCommitter, type GroupCommitOptions } from './group-commit';
import { planBatch } from './plan';
import { serverServices } from './services';

export const MUTATIONS_PATH = '/api/mutations';

export interface MutationRoutesDeps {
  /** The server's pool; each group transaction in flight holds one connection (`lanes` at most). */
  readonly pool: Pick<pg.Pool, 'connect'>;
  /** The session of a request (auth's `resolveSession`), or null when nobody is signed in. */
  readonly resolveSession: (request: FastifyRequest) => Promise<Caller | null>;
  /** The server's clock for `ctx.now` (tests freeze it). */
  readonly clock?: () => Date;
  /** Ticket signer and payments (default: Ed25519 keys in signing_keys, payment in person). */
  readonly services?: MutationServices;
  /** Group commit: lanes, mutations per transaction, the savepoint policy (WP20), an observer (tests). */
  readonly groupCommit?: Pick<
    GroupCommitOptions,
    'lanes' | 'maxMutations' | 'savepointGroupsAfterRollback' | 'observer'
  >;
}

/** Registers the mutation endpoint in its own encapsulated scope (its JSON parser stays local). */
export function mutationRoutes(deps: MutationRoutesDeps): (app: FastifyInstance) => Promise<void> {
  const clock = deps.clock ?? (() => new Date());
  const services = deps.services ?? serverServices(clock);
  const committer = new GroupCommitter({ pool: deps.pool, clock, services, ...deps.groupCommit });
  return async (app) => {
    await app.register((scope, _options, done) => {
      const callers = new WeakMap<FastifyRequest, Caller>();

      // [WP1] Who is asking is settled before the body is read.
      scope.addHook('onRequest', async (request) => {
        const session = await deps.resolveSession(request);
        if (!session)
          throw new HttpError(
            401,
            ErrorCode.unauthenticated,
            'Sign in to send changes; your session is missing or ended.',
          );
        callers.set(request, { userId: session.userId, siteRole: session.siteRole });
      });

      // [WP2] JSON only, parsed here: a clear 400 for bad JSON (keys are checked by the plan), 415 otherwise.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: MUTATION_LIMITS.maxBodyBytes },
        (_request, body, done) => {
          try {
            done(null, JSON.parse(body as string));
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            done(
              new HttpError(400, ErrorCode.badRequest, `The body is not valid JSON: ${reason}.`),
              undefined,
            );
          }
        },
      );

      scope.post(MUTATIONS_PATH, { bodyLimit: MUTATION_LIMITS.maxBodyBytes }, async (request, reply) => {
        const caller = callers.get(request);
        if (!caller) throw new HttpError(401, ErrorCode.unauthenticated, 'Sign in to send changes.');
        const plan = planBatch(request.body, mutationNamed);
        void reply.header('cache-control', 'no-store');
        if (!plan.ok) return reply.code(400).send(plan.error);
        const outcomes = await committer.submit(plan.steps, caller, request.log);
        const response: MutationResponse = { outcomes };
        return response;
      });
      done();
    });
  };
}
