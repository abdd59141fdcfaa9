-- Gatherings: events, co-hosts, RSVPs with waitlists, ticket tiers, tickets, payments, check-ins.
-- Capacity, waitlist and approval are decided by the server at apply time; the constraints below hold
-- the invariants that must never break whatever the application code does.

CREATE TYPE event_visibility AS ENUM ('public', 'unlisted', 'community');
CREATE TYPE event_status AS ENUM ('scheduled', 'cancelled');
CREATE TYPE event_host_role AS ENUM ('host', 'manager', 'checkin');
CREATE TYPE rsvp_status AS ENUM ('going', 'maybe', 'not_going', 'waitlisted', 'pending');
CREATE TYPE ticket_pricing AS ENUM ('free', 'fixed', 'pay_what_you_want');
CREATE TYPE ticket_status AS ENUM ('reserved', 'paid', 'cancelled', 'refunded');
CREATE TYPE payment_status AS ENUM ('pending', 'succeeded', 'failed', 'refunded');
CREATE TYPE check_in_method AS ENUM ('qr', 'manual');

-- synced: public/unlisted to everyone who has the link, community-only to members.
CREATE TABLE events (
  id uuid PRIMARY KEY,
  community_id uuid NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  created_by uuid NOT NULL REFERENCES users (id),
  title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
  visibility event_visibility NOT NULL DEFAULT 'public',
  status event_status NOT NULL DEFAULT 'scheduled',
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- IANA zone the event is held in; times are shown in the viewer's zone with this one alongside.
  time_zone text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
  place_name text NOT NULL DEFAULT '' CHECK (length(place_name) <= 200),
  address text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
  online_url text CHECK (online_url IS NULL OR online_url ~ '^https?://'),
  cover_media_id uuid,
  capacity integer CHECK (capacity IS NULL OR capacity > 0),
  requires_approval boolean NOT NULL DEFAULT false,
  guest_limit integer NOT NULL DEFAULT 0 CHECK (guest_limit BETWEEN 0 AND 20),
  cancelled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at),
  CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX events_community_start_idx ON events (community_id, starts_at);
CREATE INDEX events_start_idx ON events (starts_at) WHERE status = 'scheduled';

-- synced. The creator is a 'host'; managers edit, check-in co-hosts only check people in.
CREATE TABLE event_hosts (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role event_host_role NOT NULL,
  added_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, user_id)
);
CREATE INDEX event_hosts_user_idx ON event_hosts (user_id);

-- synced (own; guest lists to hosts). `guests` counts +1s; the seats an RSVP takes are 1 + guests.
CREATE TABLE rsvps (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status rsvp_status NOT NULL,
  guests integer NOT NULL DEFAULT 0 CHECK (guests BETWEEN 0 AND 20),
  -- Monotonic per event: promotion takes the smallest; gaps are fine, duplicates are not.
  waitlist_position integer CHECK (waitlist_position IS NULL OR waitlist_position > 0),
  decided_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, user_id),
  CHECK ((status = 'waitlisted') = (waitlist_position IS NOT NULL))
);
CREATE UNIQUE INDEX rsvps_waitlist_idx ON rsvps (event_id, waitlist_position) WHERE waitlist_position IS NOT NULL;
CREATE INDEX rsvps_user_idx ON rsvps (user_id);

-- server-only: keys that sign tickets. Public keys are published through the API for offline checks.
CREATE TABLE signing_keys (
  id uuid PRIMARY KEY,
  algorithm text NOT NULL DEFAULT 'ed25519' CHECK (algorithm = 'ed25519'),
  public_key bytea NOT NULL,
  private_key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);

-- synced with the event.
CREATE TABLE ticket_tiers (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  pricing ticket_pricing NOT NULL DEFAULT 'free',
  price_cents integer NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
  currency char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
  capacity integer CHECK (capacity IS NULL OR capacity > 0),
  sales_start_at timestamptz,
  sales_end_at timestamptz,
  -- Hidden tiers are unlocked by a code whose hash lives in ticket_tier_codes (server-only).
  hidden boolean NOT NULL DEFAULT false,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((pricing = 'free') = (price_cents = 0) OR pricing = 'pay_what_you_want'),
  CHECK (sales_end_at IS NULL OR sales_start_at IS NULL OR sales_end_at > sales_start_at)
);
CREATE INDEX ticket_tiers_event_idx ON ticket_tiers (event_id);

-- server-only: the unlock codes of hidden tiers, hashed.
CREATE TABLE ticket_tier_codes (
  id uuid PRIMARY KEY,
  tier_id uuid NOT NULL REFERENCES ticket_tiers (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL CHECK (octet_length(code_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tier_id, code_hash)
);

-- synced (own, and to the hosts of the event: their guest list).
CREATE TABLE tickets (
  id uuid PRIMARY KEY,
  tier_id uuid NOT NULL REFERENCES ticket_tiers (id),
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  holder_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  rsvp_id uuid REFERENCES rsvps (id) ON DELETE SET NULL,
  status ticket_status NOT NULL DEFAULT 'reserved',
  price_cents integer NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
  currency char(3) NOT NULL DEFAULT 'EUR',
  issued_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_event_idx ON tickets (event_id);
CREATE INDEX tickets_holder_idx ON tickets (holder_id);
CREATE INDEX tickets_tier_idx ON tickets (tier_id) WHERE status IN ('reserved', 'paid');

-- synced to the holder only: the signed code shown as a QR code. A table of its own because a
-- shape carries the same columns for every row, and hosts sync tickets without their codes.
CREATE TABLE ticket_passes (
  ticket_id uuid PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
  holder_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Ed25519 by the server over (ticket, event, holder), base64url; verified offline at the door.
  signature text NOT NULL,
  signing_key_id uuid NOT NULL REFERENCES signing_keys (id),
  issued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_passes_holder_idx ON ticket_passes (holder_id);

-- server-only: payment attempts behind the payment provider interface.
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  ticket_id uuid NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
  provider text NOT NULL,
  provider_reference text,
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  currency char(3) NOT NULL,
  status payment_status NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_ticket_idx ON payments (ticket_id);

-- synced to hosts and the holder. One check-in per ticket: the first applied wins, later scans from
-- other devices are answered with this row ("already checked in at ... by ...").
CREATE TABLE check_ins (
  id uuid PRIMARY KEY,
  ticket_id uuid NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  checked_in_by uuid NOT NULL REFERENCES users (id),
  method check_in_method NOT NULL,
  checked_in_at timestamptz NOT NULL DEFAULT now(),
  -- What the scanning device's clock said; shown, never used to decide.
  device_scanned_at timestamptz
);
CREATE INDEX check_ins_event_idx ON check_ins (event_id);
