-- Gatherings rules the database holds whatever the application code does (sync-server/src/gatherings
-- SPEC.md): one live ticket per person per event (GA19), also under two concurrent claims of different
-- tiers; and the check-in decision, which the issue settles as "the earliest scan wins" (GA25).

CREATE UNIQUE INDEX tickets_one_live_per_holder_idx ON tickets (event_id, holder_id)
  WHERE status IN ('reserved', 'paid');

COMMENT ON TABLE check_ins IS
  'One check-in per ticket: the earliest scan wins (device time clamped to a day before the start and the server now); a later scan is refused with "already checked in at HH:MM by NAME" (gatherings SPEC.md GA25-GA27).';
COMMENT ON TABLE signing_keys IS
  'Ticket signing keys: synced to every device without private_key, which never leaves the server (GA23).';
