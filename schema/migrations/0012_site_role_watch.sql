-- The server caches resolved sessions (sync-server/src/auth/SPEC.md SS8, SS11) and must not serve a
-- stale one: besides the ends of 0011 ('hearth_session_ended'), it hears on 'hearth_session_changed'
-- ('<session_id>', each unrevoked session of the user) when a user's site role changes, and when a
-- session's expiry is moved earlier (renewals only move it later, so they stay silent).
CREATE FUNCTION notify_user_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hearth_session_changed', s.id::text)
     FROM sessions s
    WHERE s.user_id = NEW.id AND s.revoked_at IS NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_site_role_changed AFTER UPDATE OF site_role ON users
  FOR EACH ROW WHEN (OLD.site_role IS DISTINCT FROM NEW.site_role)
  EXECUTE FUNCTION notify_user_sessions_changed();

CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hearth_session_changed', NEW.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_expiry_cut AFTER UPDATE OF expires_at ON sessions
  FOR EACH ROW WHEN (NEW.expires_at < OLD.expires_at)
  EXECUTE FUNCTION notify_session_changed();
