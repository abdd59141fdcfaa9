// TEST CODE ONLY (pg tests and `pnpm bench collab`): the collab endpoint as production wires it
// (buildApp + authRoutes + startCollab, Postgres store, author watch) on a fresh migrated database and
// a real port; `restart()` stops it cleanly and starts it again on the same database.
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { authRoutes, DEFAULT_AUTH_CONFIG } from '../../auth';
import { SESSION_COOKIE } from '../../auth/session-logic';
import { readMigrationFiles } from '../../db/migrations';
import { buildApp } from '../../http/app';
import { silentLogger, type Logger } from '../../log';
import { createTestUser, type TestUser } from '../../writes/test-support/sessions';
import { collabConfig, type CollabConfig } from '../config';
import { startCollab, type CollabService } from '../routes';

export interface Author extends TestUser {
  readonly name: string;
  /** The Cookie header of this user's browser. */
  readonly cookie: string;
}

export interface CollabServer {
  readonly app: FastifyInstance;
  readonly collab: CollabService;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  stop(): Promise<void>;
}

export interface CollabHarness {
  readonly db: FreshDatabase;
  readonly pool: pg.Pool;
  readonly server: CollabServer;
  restart(): Promise<CollabServer>;
  author(name: string): Promise<Author>;
  /** A draft owned by `owner` with these co-authors. */
  draft(owner: Author, coauthors?: readonly Author[]): Promise<string>;
  close(): Promise<void>;
}

export async function startCollabServer(options: {
  pool: pg.Pool;
  databaseUrl: string;
  config?: Partial<CollabConfig>;
  log?: Logger;
}): Promise<CollabServer> {
  const log = options.log ?? silentLogger();
  const collab = await startCollab({
    pool: options.pool,
    databaseUrl: options.databaseUrl,
    config: collabConfig(options.config),
    auth: DEFAULT_AUTH_CONFIG,
    log,
  });
  const app = await buildApp({
    pool: options.pool,
    migrations: await readMigrationFiles(MIGRATIONS_DIR),
    webDist: path.join(os.tmpdir(), 'hearth-collab-no-web'),
    log,
    routes: [authRoutes({ pool: options.pool, config: DEFAULT_AUTH_CONFIG }), collab.routes],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    collab,
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    // The order hearth.ts undoes them in: HTTP (closes the sockets), then the rooms.
    stop: async () => {
      await app.close();
      await collab.stop();
    },
  };
}

export async function addAuthor(pool: pg.Pool, name: string): Promise<Author> {
  const user = await createTestUser(pool, { displayName: name });
  return { ...user, name, cookie: `${SESSION_COOKIE}=${user.token}` };
}

export async function addDraft(
  pool: pg.Pool,
  owner: Author,
  coauthors: readonly Author[] = [],
): Promise<string> {
  const draftId = uuidv7();
  await pool.query('insert into drafts (id, owner_id, title) values ($1, $2, $3)', [
    draftId,
    owner.id,
    'A draft',
  ]);
  await pool.query(
    `insert into draft_authors (id, draft_id, user_id, role, invited_by) values ($1, $2, $3, 'owner', null)`,
    [uuidv7(), draftId, owner.id],
  );
  for (const coauthor of coauthors)
    await pool.query(
      `insert into draft_authors (id, draft_id, user_id, role, invited_by) values ($1, $2, $3, 'coauthor', $4)`,
      [uuidv7(), draftId, coauthor.id, owner.id],
    );
  return draftId;
}

export async function startCollabHarness(config: Partial<CollabConfig> = {}): Promise<CollabHarness> {
  const db = await freshDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', () => undefined);
  let server = await startCollabServer({ pool, databaseUrl: db.url, config });
  return {
    db,
    pool,
    get server() {
      return server;
    },
    restart: async () => {
      await server.stop();
      server = await startCollabServer({ pool, databaseUrl: db.url, config });
      return server;
    },
    author: (name) => addAuthor(pool, name),
    draft: (owner, coauthors) => addDraft(pool, owner, coauthors),
    close: async () => {
      await server.stop();
      await pool.end();
      await db.drop();
    },
  };
}
