// Accounts in the database: creating a password account, finding a password login, linking an
// OpenID Connect identity (SPEC.md OI4–OI6), and the `GET /api/me` view. Every function takes the
// connection it runs on; the caller owns the transaction (STYLE.md #7).
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { CommunityRole, MembershipStatus, SiteRole } from './roles';
import type { Db } from './sessions';

/** Emails match case-insensitively; a password identity's subject is the lower-cased email. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export interface PasswordLogin {
  userId: string;
  identityId: string;
  passwordHash: string;
}

export async function findPasswordLogin(db: Db, email: string): Promise<PasswordLogin | null> {
  const { rows } = await db.query<{ user_id: string; id: string; password_hash: string }>(
    `select i.user_id, i.id, i.password_hash
       from identities i join users u on u.id = i.user_id
      where i.provider = 'password' and lower(i.email) = $1 and u.deleted_at is null`,
    [emailKey(email)],
  );
  const row = rows[0];
  return row === undefined
    ? null
    : { userId: row.user_id, identityId: row.id, passwordHash: row.password_hash };
}

/**
 * AC3: an email already belongs to someone when a password identity has it, or a provider vouched
 * for it (a verified OIDC identity).
 */
export async function emailInUse(db: Db, email: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `select 1 from identities
      where lower(email) = $1 and (provider = 'password' or email_verified)
      limit 1`,
    [emailKey(email)],
  );
  return (rowCount ?? 0) > 0;
}

export async function markIdentityUsed(db: Db, identityId: string, now: Date): Promise<void> {
  await db.query('update identities set last_used_at = $2 where id = $1', [identityId, now]);
}

export type CreateAccountResult = { created: true; userId: string } | { created: false };

/** AC1. Runs in the caller's transaction; `created: false` when the email is taken (AC3). */
export async function createPasswordAccount(
  tx: pg.ClientBase,
  input: { email: string; displayName: string; passwordHash: string; now: Date },
): Promise<CreateAccountResult> {
  if (await emailInUse(tx, input.email)) return { created: false };
  const userId = uuidv7();
  await tx.query('insert into users (id, display_name, created_at, updated_at) values ($1, $2, $3, $3)', [
    userId,
    input.displayName,
    input.now,
  ]);
  // Two sign-ups racing for one email: the unique index decides, the loser is told the same as AC3.
  const inserted = await tx.query(
    `insert into identities (id, user_id, provider, subject, email, email_verified, password_hash, created_at, last_used_at)
     values ($1, $2, 'password', $3, $4, false, $5, $6, $6)
     on conflict do nothing`,
    [uuidv7(), userId, emailKey(input.email), input.email.trim(), input.passwordHash, input.now],
  );
  if (inserted.rowCount === 0) throw new EmailTakenDuringSignup();
  return { created: true, userId };
}

/** Thrown inside the sign-up transaction so it rolls back the user row it wrote. */
export class EmailTakenDuringSignup extends Error {
  constructor() {
    super('the email was taken by a concurrent sign-up');
  }
}

export interface OidcClaims {
  issuer: string;
  subject: string;
  email: string | undefined;
  /** Only a literal `true` from the provider counts (OI5). */
  emailVerified: boolean;
  displayName: string;
}

/** The provider's identity belongs to an account that was deleted: it does not come back by signing in. */
export class AccountDeleted extends Error {
  constructor() {
    super('this identity belongs to a deleted account');
  }
}

export type LinkOutcome =
  | { userId: string; how: 'known-identity' }
  | { userId: string; how: 'verified-email'; removedUnverified: number }
  | { userId: string; how: 'new-account' };

/** OI4–OI6, in the caller's transaction. */
export async function linkOidcIdentity(
  tx: pg.ClientBase,
  claims: OidcClaims,
  now: Date,
): Promise<LinkOutcome> {
  const known = await tx.query<{ id: string; user_id: string; deleted_at: Date | null }>(
    `select i.id, i.user_id, u.deleted_at from identities i join users u on u.id = i.user_id
      where i.provider = 'oidc' and i.issuer = $1 and i.subject = $2
      for update of i`,
    [claims.issuer, claims.subject],
  );
  const knownRow = known.rows[0];
  if (knownRow?.deleted_at != null) throw new AccountDeleted();
  if (knownRow !== undefined) {
    await tx.query('update identities set email = $2, email_verified = $3, last_used_at = $4 where id = $1', [
      knownRow.id,
      claims.email ?? null,
      claims.emailVerified,
      now,
    ]);
    return { userId: knownRow.user_id, how: 'known-identity' };
  }

  const insertIdentity = (userId: string) =>
    tx.query(
      `insert into identities (id, user_id, provider, issuer, subject, email, email_verified, created_at, last_used_at)
       values ($1, $2, 'oidc', $3, $4, $5, $6, $7, $7)`,
      [uuidv7(), userId, claims.issuer, claims.subject, claims.email ?? null, claims.emailVerified, now],
    );

  if (claims.email !== undefined && claims.emailVerified) {
    // Prefer an account whose email is itself verified, then the oldest.
    const owner = await tx.query<{ user_id: string }>(
      `select i.user_id from identities i join users u on u.id = i.user_id
        where lower(i.email) = $1 and (i.provider = 'password' or i.email_verified) and u.deleted_at is null
        order by i.email_verified desc, i.created_at
        limit 1`,
      [emailKey(claims.email)],
    );
    const ownerId = owner.rows[0]?.user_id;
    if (ownerId !== undefined) {
      await insertIdentity(ownerId);
      // Pre-account takeover: whoever registered this email unverified may not be its owner. The
      // provider just proved who is; unverified sign-ins of the account go, with every session.
      const removed = await tx.query('delete from identities where user_id = $1 and not email_verified', [
        ownerId,
      ]);
      const removedUnverified = removed.rowCount ?? 0;
      if (removedUnverified > 0)
        await tx.query('update sessions set revoked_at = $2 where user_id = $1 and revoked_at is null', [
          ownerId,
          now,
        ]);
      return { userId: ownerId, how: 'verified-email', removedUnverified };
    }
  }

  const userId = uuidv7();
  await tx.query('insert into users (id, display_name, created_at, updated_at) values ($1, $2, $3, $3)', [
    userId,
    claims.displayName,
    now,
  ]);
  await insertIdentity(userId);
  return { userId, how: 'new-account' };
}

export interface MeBody {
  user: {
    id: string;
    displayName: string;
    bio: string;
    avatarMediaId: string | null;
    locale: string;
    timeZone: string;
  };
  /** The email the user signs in with (password first, else a provider's verified one). */
  email: string | null;
  roles: {
    site: SiteRole;
    communities: {
      communityId: string;
      slug: string;
      name: string;
      role: CommunityRole;
      status: MembershipStatus;
    }[];
  };
}

/** AC5: the signed-in user's own view; null when the user is gone. */
export async function loadMe(db: Db, userId: string): Promise<MeBody | null> {
  const users = await db.query<{
    id: string;
    display_name: string;
    bio: string;
    avatar_media_id: string | null;
    locale: string;
    time_zone: string;
    site_role: SiteRole;
    email: string | null;
  }>(
    `select u.id, u.display_name, u.bio, u.avatar_media_id, u.locale, u.time_zone, u.site_role,
            (select i.email from identities i
              where i.user_id = u.id and i.email is not null and (i.provider = 'password' or i.email_verified)
              order by (i.provider = 'password') desc, i.created_at
              limit 1) as email
       from users u
      where u.id = $1 and u.deleted_at is null`,
    [userId],
  );
  const user = users.rows[0];
  if (user === undefined) return null;
  const memberships = await db.query<{
    community_id: string;
    slug: string;
    name: string;
    role: CommunityRole;
    status: MembershipStatus;
  }>(
    `select m.community_id, c.slug, c.name, m.role, m.status
       from memberships m join communities c on c.id = m.community_id
      where m.user_id = $1 and m.status in ('active', 'pending')
      order by c.name, c.id`,
    [userId],
  );
  return {
    user: {
      id: user.id,
      displayName: user.display_name,
      bio: user.bio,
      avatarMediaId: user.avatar_media_id,
      locale: user.locale,
      timeZone: user.time_zone,
    },
    email: user.email,
    roles: {
      site: user.site_role,
      communities: memberships.rows.map((m) => ({
        communityId: m.community_id,
        slug: m.slug,
        name: m.name,
        role: m.role,
        status: m.status,
      })),
    },
  };
}
