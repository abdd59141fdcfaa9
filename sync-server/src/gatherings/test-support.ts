// TEST CODE ONLY: the write path and the gatherings routes as production wires them, over a fresh,
// migrated database with a frozen clock; helpers that make events, tiers and tickets through mutations.
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { newId } from '@hearth/schema/ids';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase } from '../../../tests/support/postgres';
import { readMigrationFiles } from '../db/migrations';
import { buildApp } from '../http/app';
import { silentLogger } from '../log';
import { mutationRoutes } from '../writes/routes';
import { FROZEN_NOW, send, type WriteHarness } from '../writes/test-support/harness';
import { headerSessionResolver, TEST_SESSION_HEADER, type TestUser } from '../writes/test-support/sessions';
import { gatheringRoutes } from './routes';

export async function startGatheringsHarness(): Promise<WriteHarness> {
  const db = await freshDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 12 });
  pool.on('error', () => undefined);
  const resolveSession = headerSessionResolver(db.pool);
  const clock = () => FROZEN_NOW;
  const app = await buildApp({
    pool,
    migrations: await readMigrationFiles(MIGRATIONS_DIR),
    webDist: path.join(os.tmpdir(), 'hearth-no-web-build'),
    log: silentLogger(),
    routes: [
      mutationRoutes({ pool, resolveSession, clock }),
      gatheringRoutes({ pool, resolveSession, clock }),
    ],
  });
  await app.ready();
  return {
    db,
    pool,
    app,
    close: async () => {
      await app.close();
      await pool.end();
      await db.drop();
    },
  };
}

/** An instant `days` after the frozen now, as ISO text. */
export const inDays = (days: number, hours = 0): string =>
  new Date(FROZEN_NOW.getTime() + days * 86_400_000 + hours * 3_600_000).toISOString();

/** Sends a mutation and fails the test unless it was accepted. */
export async function accept(
  app: FastifyInstance,
  user: TestUser,
  name: string,
  args: unknown,
): Promise<void> {
  const outcome = await send(app, user, name, args);
  if (outcome.status !== 'accepted')
    throw new Error(`${name} was ${outcome.status}: ${outcome.code ?? ''} ${outcome.message ?? ''}`);
}

/** A scheduled event a week from now (created through `createEvent` by `by`). */
export async function makeEvent(
  app: FastifyInstance,
  by: TestUser,
  communityId: string,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const id = newId();
  await accept(app, by, 'createEvent', {
    id,
    hostId: newId(),
    communityId,
    title: 'Story circle',
    startsAt: inDays(7),
    endsAt: inDays(7, 2),
    timeZone: 'Europe/London',
    placeName: 'Riverside Library',
    ...fields,
  });
  return id;
}

export async function makeTier(
  app: FastifyInstance,
  by: TestUser,
  eventId: string,
  fields: Record<string, unknown> = {},
): Promise<string> {
  const tierId = newId();
  await accept(app, by, 'createTicketTier', { tierId, eventId, name: 'Seat', ...fields });
  return tierId;
}

/** GETs a path as `user` (or anonymously). */
export function get(app: FastifyInstance, user: TestUser | null, url: string) {
  return app.inject({ method: 'GET', url, headers: user ? { [TEST_SESSION_HEADER]: user.token } : {} });
}
