// TEST CODE ONLY: the write path as production wires it (buildApp + mutationRoutes) over a fresh,
// migrated database, with a frozen server clock, and fixtures for a community with every role.
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import pg from 'pg';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { newId } from '@hearth/schema/ids';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { readMigrationFiles } from '../../db/migrations';
import { buildApp } from '../../http/app';
import { silentLogger } from '../../log';
import type { GroupCommitObserver } from '../group-commit';
import { MUTATIONS_PATH, mutationRoutes, type MutationRoutesDeps } from '../routes';
import { createTestUser, headerSessionResolver, TEST_SESSION_HEADER, type TestUser } from './sessions';

export const FROZEN_NOW = new Date('2030-05-04T03:02:01.000Z');

export interface WriteHarness {
  db: FreshDatabase;
  /** The pool the endpoint uses (large enough for concurrent requests). */
  pool: pg.Pool;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startWriteHarness(
  poolOptions: pg.PoolConfig = {},
  groupCommit: MutationRoutesDeps['groupCommit'] = {},
): Promise<WriteHarness> {
  const db = await freshDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 12, ...poolOptions });
  pool.on('error', () => undefined);
  const app = await buildApp({
    pool,
    migrations: await readMigrationFiles(MIGRATIONS_DIR),
    webDist: path.join(os.tmpdir(), 'hearth-no-web-build'),
    log: silentLogger(),
    routes: [
      mutationRoutes({
        pool,
        resolveSession: headerSessionResolver(db.pool),
        clock: () => FROZEN_NOW,
        groupCommit,
      }),
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

export const call = (name: string, args: unknown, id: string = newId()) => ({ id, name, args });

export interface Posted {
  status: number;
  body: {
    outcomes?: { id: string; status: string; code?: string; message?: string }[];
    code?: string;
    message?: string;
    mutationId?: string;
  };
}

/** POSTs a body (an object is sent as JSON, a string as is) as `user`, or with no session. */
export async function post(
  app: FastifyInstance,
  user: TestUser | null,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const response = await app.inject({
    method: 'POST',
    url: MUTATIONS_PATH,
    headers: {
      'content-type': 'application/json',
      ...(user ? { [TEST_SESSION_HEADER]: user.token } : {}),
      ...headers,
    },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() };
}

/** Sends one mutation and returns its outcome (or the request's error as a pseudo-outcome). */
export async function send(app: FastifyInstance, user: TestUser | null, name: string, args: unknown) {
  const mutation = call(name, args);
  const { status, body } = await post(app, user, { mutations: [mutation] });
  if (status !== 200)
    return { id: mutation.id, status: `http ${status}`, code: body.code, message: body.message };
  const outcome = body.outcomes?.[0];
  if (!outcome) throw new Error(`no outcome in ${JSON.stringify(body)}`);
  return outcome;
}

export type Role = 'admin' | 'organizer' | 'member' | 'outsider' | 'removed' | 'blocked';
export const ROLES: readonly Role[] = ['admin', 'organizer', 'member', 'outsider', 'removed', 'blocked'];

export interface World {
  communityId: string;
  otherCommunityId: string;
  actors: Record<Role, TestUser>;
  /** An active member others act on (remove, change role, block). */
  target: TestUser;
  /** Someone whose request to join waits. */
  pending: TestUser;
  users: TestUser[];
}

async function insertCommunity(db: pg.Pool, createdBy: string, visibility: string, policy: string) {
  const id = newId();
  await db.query(
    `insert into communities (id, slug, name, visibility, join_policy, created_by) values ($1, $2, $3, $4, $5, $6)`,
    [id, `c-${id}`, `Community ${id.slice(-4)}`, visibility, policy, createdBy],
  );
  return id;
}

export async function addMembership(
  db: pg.Pool,
  communityId: string,
  userId: string,
  role: string,
  status: string,
): Promise<string> {
  const id = newId();
  await db.query(
    `insert into memberships (id, community_id, user_id, role, status) values ($1, $2, $3, $4, $5)`,
    [id, communityId, userId, role, status],
  );
  return id;
}

/** Community C (public + open, or private + approval) with one person in each role. */
export async function communityWorld(db: pg.Pool, kind: 'public' | 'private' = 'public'): Promise<World> {
  const [admin, organizer, member, outsider, removed, blocked, target, pending] = await Promise.all(
    Array.from({ length: 8 }, () => createTestUser(db)),
  );
  if (!admin || !organizer || !member || !outsider || !removed || !blocked || !target || !pending)
    throw new Error('fixture users missing');
  const communityId = await insertCommunity(db, admin.id, kind, kind === 'public' ? 'open' : 'approval');
  const otherCommunityId = await insertCommunity(db, outsider.id, 'public', 'open');
  await Promise.all([
    addMembership(db, communityId, admin.id, 'admin', 'active'),
    addMembership(db, communityId, organizer.id, 'organizer', 'active'),
    addMembership(db, communityId, member.id, 'member', 'active'),
    addMembership(db, communityId, target.id, 'member', 'active'),
    addMembership(db, communityId, removed.id, 'member', 'removed'),
    addMembership(db, communityId, pending.id, 'member', 'pending'),
    addMembership(db, otherCommunityId, outsider.id, 'admin', 'active'),
    db.query(`insert into blocks (id, blocker_id, blocked_id) values ($1, $2, $3)`, [
      newId(),
      admin.id,
      blocked.id,
    ]),
  ]);
  return {
    communityId,
    otherCommunityId,
    actors: { admin, organizer, member, outsider, removed, blocked },
    target,
    pending,
    users: [admin, organizer, member, outsider, removed, blocked, target, pending],
  };
}

/** Every row of the tables the write path touches, in a stable order, as plain JSON values. */
export async function dumpTables(db: Pick<pg.Pool, 'query'>): Promise<unknown> {
  const tables = [
    'users',
    'communities',
    'memberships',
    'follows',
    'blocks',
    'receipts',
    'audit_log',
    'sessions',
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const { rows } = await db.query(`select * from ${table} order by id`);
    out[table] = rows;
  }
  return JSON.parse(JSON.stringify(out));
}

/** Waits (for an event, not a time) until `n` backends of this database wait on a lock. */
export async function lockWaiters(db: Pick<pg.Pool, 'query'>, n: number): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) >= n) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Watches the group committer: how many requests wait for a lane, and the size of each group. */
export class GroupWatch implements GroupCommitObserver {
  waiting = 0;
  readonly groups: { requests: number; mutations: number }[] = [];
  /** How each group's first try without savepoints ended (WP19), in order. */
  readonly tries: string[] = [];
  private readonly wanted: { n: number; resolve: () => void }[] = [];

  queued(waiting: number): void {
    this.update(waiting);
  }
  began(group: { requests: number; mutations: number; waiting: number }): void {
    this.groups.push({ requests: group.requests, mutations: group.mutations });
    this.update(group.waiting);
  }
  tried(result: string): void {
    this.tries.push(result);
  }
  /** Resolves once at least `n` requests wait in the queue (an event, not a time). */
  untilWaiting(n: number): Promise<void> {
    if (this.waiting >= n) return Promise.resolve();
    return new Promise((resolve) => this.wanted.push({ n, resolve }));
  }
  private update(waiting: number): void {
    this.waiting = waiting;
    for (const want of this.wanted.filter((w) => waiting >= w.n)) {
      this.wanted.splice(this.wanted.indexOf(want), 1);
      want.resolve();
    }
  }
}

export type Send = [user: TestUser, mutations: ReturnType<typeof call>[]];

/** Each request's outcomes as `status` or `status code`, for comparing a group's answers at a glance. */
export const statuses = (answers: Posted[]) =>
  answers.map((answer) => answer.body.outcomes?.map((o) => (o.code ? `${o.status} ${o.code}` : o.status)));

/**
 * Sends `sends` while the only lane is busy (a join waiting on the held community row), so they all
 * queue in the given order; releasing the row lets them run as the next group(s). Returns each
 * request's answer.
 */
export async function queueTogether(
  {
    harness: h,
    watch,
    plugCommunityId,
  }: { harness: WriteHarness; watch: GroupWatch; plugCommunityId: string },
  sends: readonly Send[],
): Promise<Posted[]> {
  const holder = await h.db.pool.connect();
  try {
    await holder.query('begin');
    await holder.query(`select 1 from communities where id = $1 for update`, [plugCommunityId]);
    const joiner = await createTestUser(h.db.pool);
    const plugged = post(h.app, joiner, {
      mutations: [call('joinCommunity', { communityId: plugCommunityId, membershipId: newId() })],
    });
    await lockWaiters(h.db.pool, 1);
    // One at a time into the queue, so the group runs them in the order given.
    const posted: Promise<Posted>[] = [];
    for (const [user, mutations] of sends) {
      posted.push(post(h.app, user, { mutations }));
      await watch.untilWaiting(posted.length);
    }
    const answers = Promise.all(posted);
    await holder.query('commit');
    expect((await plugged).body.outcomes?.[0]?.status).toBe('accepted');
    return await answers;
  } finally {
    holder.release();
  }
}
