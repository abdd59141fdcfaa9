// People and how they sign in. `users` is the public profile that syncs; credentials and sessions
// never leave the server.
import { col, defineTable, pgEnum, type Row } from '../table';

export const siteRole = pgEnum('site_role', ['member', 'moderator']);

export const identityProvider = pgEnum('identity_provider', ['password', 'oidc']);

export const users = defineTable({
  name: 'users',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    display_name: col.text(),
    bio: col.text().defaulted(),
    avatar_media_id: col.uuid().orNull(),
    locale: col.text().defaulted(),
    time_zone: col.text().defaulted(),
    site_role: col.enum(siteRole).defaulted(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
    deleted_at: col.timestamptz().orNull(),
  },
});
export type UserRow = Row<typeof users>;

export const identities = defineTable({
  name: 'identities',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    provider: col.enum(identityProvider),
    issuer: col.text().defaulted(),
    subject: col.text(),
    email: col.text().orNull(),
    email_verified: col.boolean().defaulted(),
    password_hash: col.text().orNull(),
    created_at: col.timestamptz().defaulted(),
    last_used_at: col.timestamptz().orNull(),
  },
});
export type IdentityRow = Row<typeof identities>;

export const sessions = defineTable({
  name: 'sessions',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    token_hash: col.bytea(),
    created_at: col.timestamptz().defaulted(),
    last_seen_at: col.timestamptz().defaulted(),
    expires_at: col.timestamptz(),
    revoked_at: col.timestamptz().orNull(),
    user_agent: col.text().defaulted(),
    ip: col.inet().orNull(),
  },
});
export type SessionRow = Row<typeof sessions>;

/** An OpenID Connect sign-in between the redirect to the provider and its callback (0006_auth.sql). */
export const oidcLogins = defineTable({
  name: 'oidc_logins',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    state_hash: col.bytea(),
    provider: col.text(),
    code_verifier: col.text(),
    nonce: col.text(),
    created_at: col.timestamptz().defaulted(),
    expires_at: col.timestamptz(),
  },
});
export type OidcLoginRow = Row<typeof oidcLogins>;
