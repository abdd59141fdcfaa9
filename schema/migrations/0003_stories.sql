-- Stories: the emotion vocabulary, free tags, media, collaborative drafts (Yjs), published stories
-- with versions and translations.

CREATE TYPE tag_kind AS ENUM ('culture', 'place', 'language');
CREATE TYPE story_visibility AS ENUM ('public', 'community', 'private');
CREATE TYPE story_status AS ENUM ('published', 'hidden', 'removed');
CREATE TYPE draft_status AS ENUM ('open', 'archived');
CREATE TYPE draft_author_role AS ENUM ('owner', 'coauthor');
CREATE TYPE media_kind AS ENUM ('audio', 'video', 'image');
CREATE TYPE media_status AS ENUM ('uploading', 'processing', 'ready', 'failed');

-- synced to everyone: the fixed vocabulary. Keys are stable identifiers, labels are translations.
CREATE TABLE emotions (
  key text PRIMARY KEY CHECK (key ~ '^[a-z_]+$'),
  position integer NOT NULL UNIQUE,
  -- Circumplex placement, for ordering and colour: valence (unpleasant..pleasant), arousal (calm..intense).
  valence smallint NOT NULL CHECK (valence BETWEEN -2 AND 2),
  arousal smallint NOT NULL CHECK (arousal BETWEEN -2 AND 2)
);

CREATE TABLE emotion_labels (
  emotion_key text NOT NULL REFERENCES emotions (key) ON DELETE CASCADE,
  locale text NOT NULL CHECK (length(locale) BETWEEN 2 AND 35),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
  PRIMARY KEY (emotion_key, locale)
);

-- synced to everyone: free tags (cultures, places, languages), made on first use.
CREATE TABLE tags (
  id uuid PRIMARY KEY,
  kind tag_kind NOT NULL,
  slug text NOT NULL CHECK (slug ~ '^[\w-]+$' AND length(slug) <= 64),
  label text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, slug)
);

-- synced to the owner (and to readers of the stories that use it). The file itself is in the media
-- store under `storage_key`, which never syncs.
CREATE TABLE media (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind media_kind NOT NULL,
  mime_type text NOT NULL CHECK (mime_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  duration_ms integer CHECK (duration_ms IS NULL OR duration_ms >= 0),
  width integer CHECK (width IS NULL OR width > 0),
  height integer CHECK (height IS NULL OR height > 0),
  status media_status NOT NULL DEFAULT 'uploading',
  storage_key text NOT NULL UNIQUE,
  sha256 bytea CHECK (sha256 IS NULL OR octet_length(sha256) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_owner_idx ON media (owner_id);

ALTER TABLE users ADD FOREIGN KEY (avatar_media_id) REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE communities ADD FOREIGN KEY (cover_media_id) REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE events ADD FOREIGN KEY (cover_media_id) REFERENCES media (id) ON DELETE SET NULL;

-- synced to its authors: the structured part of a draft. The text is a Yjs document.
CREATE TABLE drafts (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  community_id uuid REFERENCES communities (id) ON DELETE SET NULL,
  title text NOT NULL DEFAULT '' CHECK (length(title) <= 200),
  language text NOT NULL DEFAULT 'en' CHECK (length(language) BETWEEN 2 AND 35),
  visibility story_visibility NOT NULL DEFAULT 'public',
  content_warning text CHECK (content_warning IS NULL OR length(content_warning) BETWEEN 1 AND 200),
  status draft_status NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drafts_owner_idx ON drafts (owner_id);

CREATE TABLE draft_authors (
  id uuid PRIMARY KEY,
  draft_id uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role draft_author_role NOT NULL,
  invited_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (draft_id, user_id)
);
CREATE INDEX draft_authors_user_idx ON draft_authors (user_id);
CREATE UNIQUE INDEX draft_authors_one_owner_idx ON draft_authors (draft_id) WHERE role = 'owner';

-- server-only: Yjs updates as they arrive, folded into draft_snapshots by compaction.
CREATE TABLE draft_updates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  draft_id uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  update bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX draft_updates_draft_idx ON draft_updates (draft_id, id);

-- server-only: the compacted document; updates with id <= through_update_id are folded in.
CREATE TABLE draft_snapshots (
  draft_id uuid PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
  state bytea NOT NULL,
  through_update_id bigint NOT NULL,
  compacted_at timestamptz NOT NULL DEFAULT now()
);

-- synced by visibility: public to everyone, community to members, private to authors.
CREATE TABLE stories (
  id uuid PRIMARY KEY,
  draft_id uuid NOT NULL UNIQUE REFERENCES drafts (id),
  community_id uuid REFERENCES communities (id) ON DELETE SET NULL,
  visibility story_visibility NOT NULL,
  status story_status NOT NULL DEFAULT 'published',
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  summary text NOT NULL DEFAULT '' CHECK (length(summary) <= 1000),
  -- Sanitized HTML rendered by the server from the draft; never markup from a client.
  content_html text NOT NULL,
  content_text text NOT NULL,
  language text NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
  content_warning text,
  current_version integer NOT NULL CHECK (current_version > 0),
  published_by uuid NOT NULL REFERENCES users (id),
  first_published_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NOT NULL DEFAULT now(),
  CHECK (visibility <> 'community' OR community_id IS NOT NULL)
);
CREATE INDEX stories_community_idx ON stories (community_id, published_at DESC);
CREATE INDEX stories_published_idx ON stories (published_at DESC) WHERE status = 'published';

CREATE TABLE story_authors (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  UNIQUE (story_id, user_id)
);
CREATE INDEX story_authors_user_idx ON story_authors (user_id);

-- synced with the story. Every publish appends one; restore copies one back into the draft.
CREATE TABLE story_versions (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version > 0),
  title text NOT NULL,
  content_html text NOT NULL,
  published_by uuid NOT NULL REFERENCES users (id),
  published_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (story_id, version)
);

CREATE TABLE story_emotions (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  emotion_key text NOT NULL REFERENCES emotions (key),
  UNIQUE (story_id, emotion_key)
);
CREATE INDEX story_emotions_emotion_idx ON story_emotions (emotion_key);

CREATE TABLE story_tags (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  tag_id uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  UNIQUE (story_id, tag_id)
);
CREATE INDEX story_tags_tag_idx ON story_tags (tag_id);

CREATE TABLE story_media (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  media_id uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  caption text NOT NULL DEFAULT '' CHECK (length(caption) <= 500),
  UNIQUE (story_id, media_id)
);

-- synced with the story: translations contributed by readers.
CREATE TABLE story_translations (
  id uuid PRIMARY KEY,
  story_id uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
  language text NOT NULL CHECK (length(language) BETWEEN 2 AND 35),
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  content_html text NOT NULL,
  translator_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (story_id, language, translator_id)
);
