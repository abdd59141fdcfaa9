// TEST CODE ONLY (pg tests and the writes benchmark): real rows in `sessions`, looked up by a token
// sent in a header instead of auth's cookie, so the write path is tested without the sign-in flow.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { SiteRole } from '@hearth/schema/mutations/index';

export const TEST_SESSION_HEADER = 'x-hearth-test-session';

type Db = Pick<pg.Pool, 'query'>;

const hashOf = (token: string) => createHash('sha256').update(token).digest();

export interface TestUser {
  readonly id: string;
  /** Send as `${TEST_SESSION_HEADER}: token`. */
  readonly token: string;
}

/** A user with a live session. */
export async function createTestUser(
  db: Db,
  options: { displayName?: string; siteRole?: SiteRole } = {},
): Promise<TestUser> {
  const id = uuidv7();
  await db.query(`insert into users (id, display_name, site_role) values ($1, $2, $3)`, [
    id,
    options.displayName ?? `Tester ${id.slice(-6)}`,
    options.siteRole ?? 'member',
  ]);
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `insert into sessions (id, user_id, token_hash, expires_at) values ($1, $2, $3, now() + interval '1 day')`,
    [uuidv7(), id, hashOf(token)],
  );
  return { id, token };
}

/** `resolveSession` over the sessions table, keyed by the test header. */
export function headerSessionResolver(db: Db) {
  return async (request: FastifyRequest) => {
    const token = request.headers[TEST_SESSION_HEADER];
    if (typeof token !== 'string' || token === '') return null;
    const { rows } = await db.query<{ session_id: string; user_id: string; site_role: SiteRole }>(
      `select s.id as session_id, s.user_id, u.site_role
       from sessions s join users u on u.id = s.user_id
       where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now() and u.deleted_at is null`,
      [hashOf(token)],
    );
    const row = rows[0];
    return row ? { sessionId: row.session_id, userId: row.user_id, siteRole: row.site_role } : null;
  };
}
