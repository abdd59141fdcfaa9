-- Gatherings, issue 5's gaps (sync-server/src/gatherings/SPEC.md GA34–GA37): paying at the door, the
-- seats an event has taken kept on its row for everyone to see, and per-member calendar feed tokens.

-- [GA36] Going seats (1 + guests of every going RSVP) and the waitlist's length, on the event row so
-- they sync with it to everyone who sees the event (the guest list syncs to its staff only). Kept by
-- a trigger in the transaction of whatever changed an RSVP (setRsvp, decisions, promotions, seeds,
-- deletions), recounted rather than incremented so it cannot drift.
ALTER TABLE events
  ADD COLUMN seats_taken integer NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
  ADD COLUMN waitlist_length integer NOT NULL DEFAULT 0 CHECK (waitlist_length >= 0);

CREATE FUNCTION recount_event_seats(target uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE events e SET seats_taken = s.seats, waitlist_length = s.waiting
  FROM (SELECT coalesce(sum(1 + guests) FILTER (WHERE status = 'going'), 0)::int AS seats,
               (count(*) FILTER (WHERE status = 'waitlisted'))::int AS waiting
        FROM rsvps WHERE event_id = target) s
  WHERE e.id = target AND (e.seats_taken, e.waitlist_length) IS DISTINCT FROM (s.seats, s.waiting);
$$;

CREATE FUNCTION rsvps_recount_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM recount_event_seats(OLD.event_id); END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.event_id IS DISTINCT FROM OLD.event_id) THEN
    PERFORM recount_event_seats(NEW.event_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER rsvps_seats AFTER INSERT OR DELETE OR UPDATE OF status, guests, event_id ON rsvps
  FOR EACH ROW EXECUTE FUNCTION rsvps_recount_seats();

UPDATE events e SET seats_taken = s.seats, waitlist_length = s.waiting
FROM (SELECT event_id, coalesce(sum(1 + guests) FILTER (WHERE status = 'going'), 0)::int AS seats,
             (count(*) FILTER (WHERE status = 'waitlisted'))::int AS waiting
      FROM rsvps GROUP BY event_id) s
WHERE e.id = s.event_id;

-- [GA34] A door payment records how it was paid and who took it.
CREATE TYPE payment_method AS ENUM ('cash', 'card', 'transfer', 'other');
ALTER TABLE payments
  ADD COLUMN method payment_method,
  ADD COLUMN settled_by uuid REFERENCES users (id) ON DELETE SET NULL,
  ADD COLUMN settled_at timestamptz,
  ADD CHECK (status <> 'succeeded' OR settled_at IS NOT NULL);
-- At most one payment per ticket is still owed.
CREATE UNIQUE INDEX payments_one_pending_per_ticket_idx ON payments (ticket_id) WHERE status = 'pending';

-- [GA37] server-only: a member's secret link to their view of one community's calendar feed, for
-- calendar apps that send no cookie. Only the token's sha256 is stored (like sessions); a new token
-- replaces the old one (one row per member and community); deleting the row revokes it.
CREATE TABLE calendar_feed_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  community_id uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  UNIQUE (user_id, community_id)
);
