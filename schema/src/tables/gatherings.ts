// Events, co-hosts, RSVPs with waitlists, ticket tiers, tickets and their signed passes, payments,
// check-ins at the door. Capacity and waitlists are decided by the server when a mutation applies.
import { col, defineTable, pgEnum, type Row } from '../table';

export const eventVisibility = pgEnum('event_visibility', ['public', 'unlisted', 'community']);

export const eventStatus = pgEnum('event_status', ['scheduled', 'cancelled']);

export const eventHostRole = pgEnum('event_host_role', ['host', 'manager', 'checkin']);

export const rsvpStatus = pgEnum('rsvp_status', ['going', 'maybe', 'not_going', 'waitlisted', 'pending']);

export const ticketPricing = pgEnum('ticket_pricing', ['free', 'fixed', 'pay_what_you_want']);

export const ticketStatus = pgEnum('ticket_status', ['reserved', 'paid', 'cancelled', 'refunded']);

export const paymentStatus = pgEnum('payment_status', ['pending', 'succeeded', 'failed', 'refunded']);

export const checkInMethod = pgEnum('check_in_method', ['qr', 'manual']);

/** How a payment was taken at the door (GA34). */
export const paymentMethod = pgEnum('payment_method', ['cash', 'card', 'transfer', 'other']);

export const events = defineTable({
  name: 'events',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    community_id: col.uuid(),
    created_by: col.uuid(),
    title: col.text(),
    description: col.text().defaulted(),
    visibility: col.enum(eventVisibility).defaulted(),
    status: col.enum(eventStatus).defaulted(),
    starts_at: col.timestamptz(),
    ends_at: col.timestamptz(),
    time_zone: col.text(),
    place_name: col.text().defaulted(),
    address: col.text().defaulted(),
    online_url: col.text().orNull(),
    cover_media_id: col.uuid().orNull(),
    capacity: col.integer().orNull(),
    requires_approval: col.boolean().defaulted(),
    guest_limit: col.integer().defaulted(),
    cancelled_at: col.timestamptz().orNull(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
    /** Seats of going RSVPs (1 + guests) and the waitlist's length, kept by a trigger (GA36). */
    seats_taken: col.integer().defaulted(),
    waitlist_length: col.integer().defaulted(),
  },
});
export type EventRow = Row<typeof events>;

export const eventHosts = defineTable({
  name: 'event_hosts',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    event_id: col.uuid(),
    user_id: col.uuid(),
    role: col.enum(eventHostRole),
    added_by: col.uuid().orNull(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type EventHostRow = Row<typeof eventHosts>;

export const rsvps = defineTable({
  name: 'rsvps',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    event_id: col.uuid(),
    user_id: col.uuid(),
    status: col.enum(rsvpStatus),
    guests: col.integer().defaulted(),
    waitlist_position: col.integer().orNull(),
    decided_by: col.uuid().orNull(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type RsvpRow = Row<typeof rsvps>;

// Synced to every device without the private key: a door checks ticket signatures offline (GA23).
export const signingKeys = defineTable({
  name: 'signing_keys',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    algorithm: col.text().defaulted(),
    public_key: col.bytea(),
    private_key: col.bytea().neverSynced(),
    created_at: col.timestamptz().defaulted(),
    retired_at: col.timestamptz().orNull(),
  },
});
export type SigningKeyRow = Row<typeof signingKeys>;

export const ticketTiers = defineTable({
  name: 'ticket_tiers',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    event_id: col.uuid(),
    name: col.text(),
    description: col.text().defaulted(),
    pricing: col.enum(ticketPricing).defaulted(),
    price_cents: col.integer().defaulted(),
    currency: col.currency().defaulted(),
    capacity: col.integer().orNull(),
    sales_start_at: col.timestamptz().orNull(),
    sales_end_at: col.timestamptz().orNull(),
    hidden: col.boolean().defaulted(),
    position: col.integer().defaulted(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type TicketTierRow = Row<typeof ticketTiers>;

export const ticketTierCodes = defineTable({
  name: 'ticket_tier_codes',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    tier_id: col.uuid(),
    code_hash: col.bytea(),
    created_at: col.timestamptz().defaulted(),
  },
});
export type TicketTierCodeRow = Row<typeof ticketTierCodes>;

export const tickets = defineTable({
  name: 'tickets',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    tier_id: col.uuid(),
    event_id: col.uuid(),
    holder_id: col.uuid(),
    rsvp_id: col.uuid().orNull(),
    status: col.enum(ticketStatus).defaulted(),
    price_cents: col.integer().defaulted(),
    currency: col.currency().defaulted(),
    issued_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
  },
});
export type TicketRow = Row<typeof tickets>;

export const ticketPasses = defineTable({
  name: 'ticket_passes',
  sync: 'synced',
  primaryKey: ['ticket_id'],
  columns: {
    ticket_id: col.uuid(),
    holder_id: col.uuid(),
    signature: col.text(),
    signing_key_id: col.uuid(),
    issued_at: col.timestamptz().defaulted(),
  },
});
export type TicketPassRow = Row<typeof ticketPasses>;

export const payments = defineTable({
  name: 'payments',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    ticket_id: col.uuid(),
    provider: col.text(),
    provider_reference: col.text().orNull(),
    amount_cents: col.integer(),
    currency: col.currency(),
    status: col.enum(paymentStatus).defaulted(),
    created_at: col.timestamptz().defaulted(),
    updated_at: col.timestamptz().defaulted(),
    /** Set when the door settles it (GA34). */
    method: col.enum(paymentMethod).orNull(),
    settled_by: col.uuid().orNull(),
    settled_at: col.timestamptz().orNull(),
  },
});
export type PaymentRow = Row<typeof payments>;

/** A member's secret link to their view of a community's calendar feed; only its hash is kept (GA37). */
export const calendarFeedTokens = defineTable({
  name: 'calendar_feed_tokens',
  sync: 'server-only',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    user_id: col.uuid(),
    community_id: col.uuid(),
    token_hash: col.bytea(),
    created_at: col.timestamptz().defaulted(),
    last_used_at: col.timestamptz().orNull(),
  },
});
export type CalendarFeedTokenRow = Row<typeof calendarFeedTokens>;

export const checkIns = defineTable({
  name: 'check_ins',
  sync: 'synced',
  primaryKey: ['id'],
  columns: {
    id: col.uuid(),
    ticket_id: col.uuid(),
    event_id: col.uuid(),
    checked_in_by: col.uuid(),
    method: col.enum(checkInMethod),
    checked_in_at: col.timestamptz().defaulted(),
    device_scanned_at: col.timestamptz().orNull(),
  },
});
export type CheckInRow = Row<typeof checkIns>;
