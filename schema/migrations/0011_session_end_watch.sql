-- Collab rooms learn at once when a session ends (signed out here or everywhere, revoked, deleted, the
-- account deleted): the server LISTENs on this channel and closes the sockets that session opened
-- (sync-server/src/collab/SPEC.md CO13). Payload: '<session_id>'. Expiry is a time, not a write: the
-- server times it itself.
CREATE FUNCTION notify_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hearth_session_ended', OLD.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_revoked AFTER UPDATE OF revoked_at ON sessions
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION notify_session_ended();

-- Also by cascade from a deleted user.
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION notify_session_ended();

CREATE FUNCTION notify_user_sessions_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hearth_session_ended', s.id::text) FROM sessions s WHERE s.user_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_deleted AFTER UPDATE OF deleted_at ON users
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
  EXECUTE FUNCTION notify_user_sessions_ended();
