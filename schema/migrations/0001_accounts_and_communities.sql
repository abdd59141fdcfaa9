-- Accounts, sessions and communities.
-- Sync class of every table is declared in schema/src/tables/*.ts and checked against this catalogue.
-- Keys are UUIDs made by clients (v7); the server stamps times (clients' clocks are never trusted).

CREATE TYPE site_role AS ENUM ('member', 'moderator');
CREATE TYPE identity_provider AS ENUM ('password', 'oidc');
CREATE TYPE community_visibility AS ENUM ('public', 'private');
CREATE TYPE join_policy AS ENUM ('open', 'approval');
CREATE TYPE community_role AS ENUM ('member', 'organizer', 'admin');
CREATE TYPE membership_status AS ENUM ('pending', 'active', 'removed', 'left');

-- synced: public profile only; emails and credentials live in `identities` (server-only).
CREATE TABLE users (
  id uuid PRIMARY KEY,
  display_name text NOT NULL CHECK (length(btrim(display_name)) BETWEEN 1 AND 80),
  bio text NOT NULL DEFAULT '' CHECK (length(bio) <= 2000),
  avatar_media_id uuid,
  locale text NOT NULL DEFAULT 'en' CHECK (length(locale) BETWEEN 2 AND 35),
  time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64),
  site_role site_role NOT NULL DEFAULT 'member',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

-- server-only: how a user signs in. One row per (provider, subject); a password identity's subject
-- is the lower-cased email.
CREATE TABLE identities (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider identity_provider NOT NULL,
  issuer text NOT NULL DEFAULT '',
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 320),
  email text CHECK (email IS NULL OR length(email) <= 320),
  email_verified boolean NOT NULL DEFAULT false,
  password_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  UNIQUE (provider, issuer, subject),
  CHECK ((provider = 'password') = (password_hash IS NOT NULL))
);
CREATE INDEX identities_user_idx ON identities (user_id);
CREATE UNIQUE INDEX identities_password_email_idx ON identities (lower(email)) WHERE provider = 'password';

-- server-only: only a hash of the 256-bit token is stored.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  user_agent text NOT NULL DEFAULT '',
  ip inet
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- synced (public ones to everyone, private ones to members).
CREATE TABLE communities (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 64),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  visibility community_visibility NOT NULL DEFAULT 'public',
  join_policy join_policy NOT NULL DEFAULT 'open',
  cover_media_id uuid,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- synced. One row per (community, user); leaving or removal keeps the row with its status so that
-- the history of roles stays auditable and a re-join is an update, not a new identity.
CREATE TABLE memberships (
  id uuid PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role community_role NOT NULL DEFAULT 'member',
  status membership_status NOT NULL,
  decided_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id) WHERE status = 'active';
CREATE INDEX memberships_pending_idx ON memberships (community_id) WHERE status = 'pending';

-- synced (own). A user follows a community or another user, never both in one row.
CREATE TABLE follows (
  id uuid PRIMARY KEY,
  follower_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  community_id uuid REFERENCES communities (id) ON DELETE CASCADE,
  followed_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(community_id, followed_user_id) = 1),
  CHECK (followed_user_id IS DISTINCT FROM follower_id)
);
CREATE UNIQUE INDEX follows_community_idx ON follows (follower_id, community_id) WHERE community_id IS NOT NULL;
CREATE UNIQUE INDEX follows_user_idx ON follows (follower_id, followed_user_id) WHERE followed_user_id IS NOT NULL;

-- synced (own, and blocked users are hidden from the blocker's views).
CREATE TABLE blocks (
  id uuid PRIMARY KEY,
  blocker_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  blocked_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (blocker_id, blocked_id),
  CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked_idx ON blocks (blocked_id);
