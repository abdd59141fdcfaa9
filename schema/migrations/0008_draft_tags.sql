-- Tags of a draft, synced to its authors: emotions from the vocabulary and free culture/place/language
-- tags. A draft's free tags stay here, not in `tags`, until it is published: `tags` syncs to everyone,
-- and an unpublished draft's words must not. Child ids are UUID v5 of (draft, key), so the client's
-- optimistic rows and the server's rows share their primary keys (schema/src/stories/ids.ts).

CREATE TABLE draft_emotions (
  id uuid PRIMARY KEY,
  draft_id uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  emotion_key text NOT NULL REFERENCES emotions (key),
  UNIQUE (draft_id, emotion_key)
);

CREATE TABLE draft_tags (
  id uuid PRIMARY KEY,
  draft_id uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  kind tag_kind NOT NULL,
  slug text NOT NULL CHECK (slug ~ '^[\w-]+$' AND length(slug) <= 64),
  label text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 64),
  UNIQUE (draft_id, kind, slug)
);
