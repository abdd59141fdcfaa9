-- Collab rooms learn at once when someone stops being an author of a draft (removed, the draft or the
-- user deleted): the server LISTENs on this channel and closes that user's open sockets to the draft
-- (sync-server/src/collab/SPEC.md CO9). Payload: '<draft_id> <user_id>'.
CREATE FUNCTION notify_draft_author_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hearth_draft_author_gone', OLD.draft_id::text || ' ' || OLD.user_id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER draft_authors_gone AFTER DELETE ON draft_authors
  FOR EACH ROW EXECUTE FUNCTION notify_draft_author_gone();

CREATE TRIGGER draft_authors_moved AFTER UPDATE OF draft_id, user_id ON draft_authors
  FOR EACH ROW WHEN (OLD.draft_id IS DISTINCT FROM NEW.draft_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION notify_draft_author_gone();
