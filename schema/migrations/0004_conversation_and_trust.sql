-- Comments, reactions, consents, reports, mutation receipts and the audit log.

CREATE TYPE comment_kind AS ENUM ('comment', 'announcement');
CREATE TYPE moderation_status AS ENUM ('visible', 'hidden', 'removed');
CREATE TYPE consent_kind AS ENUM ('terms', 'privacy', 'recording', 'publication');
CREATE TYPE report_status AS ENUM ('open', 'dismissed', 'actioned');
CREATE TYPE receipt_status AS ENUM ('accepted', 'rejected');

-- synced with what it is about. Threads: parent_id points to a comment on the same subject.
CREATE TABLE comments (
  id uuid PRIMARY KEY,
  event_id uuid REFERENCES events (id) ON DELETE CASCADE,
  story_id uuid REFERENCES stories (id) ON DELETE CASCADE,
  parent_id uuid REFERENCES comments (id) ON DELETE CASCADE,
  author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind comment_kind NOT NULL DEFAULT 'comment',
  body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
  status moderation_status NOT NULL DEFAULT 'visible',
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  CHECK (num_nonnulls(event_id, story_id) = 1),
  -- Announcements are top-level posts by hosts on events.
  CHECK (kind = 'comment' OR (event_id IS NOT NULL AND parent_id IS NULL))
);
CREATE INDEX comments_event_idx ON comments (event_id, created_at) WHERE event_id IS NOT NULL;
CREATE INDEX comments_story_idx ON comments (story_id, created_at) WHERE story_id IS NOT NULL;
CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- synced with its subject. One reaction per user per subject: on a story it is an emotion from the
-- vocabulary; on an event or a comment it is a short emoji.
CREATE TABLE reactions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  story_id uuid REFERENCES stories (id) ON DELETE CASCADE,
  event_id uuid REFERENCES events (id) ON DELETE CASCADE,
  comment_id uuid REFERENCES comments (id) ON DELETE CASCADE,
  emotion_key text REFERENCES emotions (key),
  emoji text CHECK (emoji IS NULL OR length(emoji) BETWEEN 1 AND 16),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(story_id, event_id, comment_id) = 1),
  CHECK (num_nonnulls(emotion_key, emoji) = 1),
  CHECK (story_id IS NULL OR emotion_key IS NOT NULL)
);
CREATE UNIQUE INDEX reactions_story_idx ON reactions (story_id, user_id) WHERE story_id IS NOT NULL;
CREATE UNIQUE INDEX reactions_event_idx ON reactions (event_id, user_id) WHERE event_id IS NOT NULL;
CREATE UNIQUE INDEX reactions_comment_idx ON reactions (comment_id, user_id) WHERE comment_id IS NOT NULL;

-- synced (own): what each person agreed to, including consent to be recorded in a story's media.
CREATE TABLE consents (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind consent_kind NOT NULL,
  media_id uuid REFERENCES media (id) ON DELETE CASCADE,
  story_id uuid REFERENCES stories (id) ON DELETE CASCADE,
  document_version text NOT NULL DEFAULT '1',
  granted_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CHECK (kind NOT IN ('recording', 'publication') OR num_nonnulls(media_id, story_id) >= 1)
);
CREATE INDEX consents_user_idx ON consents (user_id);
CREATE INDEX consents_media_idx ON consents (media_id) WHERE media_id IS NOT NULL;

-- synced to the reporter and to those who review (moderators, admins of the community).
CREATE TABLE reports (
  id uuid PRIMARY KEY,
  reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  story_id uuid REFERENCES stories (id) ON DELETE CASCADE,
  comment_id uuid REFERENCES comments (id) ON DELETE CASCADE,
  event_id uuid REFERENCES events (id) ON DELETE CASCADE,
  reported_user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  -- The community whose admins may review it; null for site-wide subjects (moderators only).
  community_id uuid REFERENCES communities (id) ON DELETE CASCADE,
  reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 120),
  details text NOT NULL DEFAULT '' CHECK (length(details) <= 5000),
  status report_status NOT NULL DEFAULT 'open',
  resolved_by uuid REFERENCES users (id),
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (num_nonnulls(story_id, comment_id, event_id, reported_user_id) = 1),
  CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX reports_open_idx ON reports (community_id, created_at) WHERE status = 'open';

-- synced (own): the outcome of every mutation, keyed by the client-made mutation id. It reaches the
-- replica in the same transaction as the rows the mutation changed, which is how the client knows
-- when to drop its optimistic overlay.
CREATE TABLE receipts (
  id uuid PRIMARY KEY,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  mutation text NOT NULL CHECK (length(mutation) BETWEEN 1 AND 100),
  status receipt_status NOT NULL,
  error_code text,
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'rejected') = (error_code IS NOT NULL))
);
CREATE INDEX receipts_user_idx ON receipts (user_id, created_at);

-- server-only: who did what, for moderation and security review.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id uuid REFERENCES users (id) ON DELETE SET NULL,
  action text NOT NULL,
  subject_table text,
  subject_id uuid,
  details jsonb NOT NULL DEFAULT '{}',
  ip inet,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_table, subject_id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at);
