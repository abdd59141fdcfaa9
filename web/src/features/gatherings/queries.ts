// The live queries of the gatherings screens, over the replica's views (synced rows with this
// device's pending changes laid over them). Times come out as epoch ms so pure code can format them.
// `$1` is the viewer's id, or NOBODY when signed out.

/** Stands in for "no viewer" so one query serves both. */
export const NOBODY = '00000000-0000-0000-0000-000000000000';

export const COMMUNITIES_SQL = `
  select c.id, c.slug, c.name, c.description, c.visibility, c.join_policy,
         m.status as my_status, m.role as my_role,
         exists (select 1 from follows f where f.community_id = c.id and f.follower_id = $1::uuid) as following
    from communities c
    left join memberships m on m.community_id = c.id and m.user_id = $1::uuid
   order by (m.status = 'active') is true desc, c.name, c.id`;

export const COMMUNITY_SQL = `
  select c.id, c.slug, c.name, c.description, c.visibility, c.join_policy,
         m.status as my_status, m.role as my_role,
         exists (select 1 from follows f where f.community_id = c.id and f.follower_id = $2::uuid) as following
    from communities c
    left join memberships m on m.community_id = c.id and m.user_id = $2::uuid
   where c.id = $1::uuid`;

/** Members and requests the replica holds (active members see members; admins see requests too). */
export const MEMBERS_SQL = `
  select m.id, m.user_id, m.role, m.status, coalesce(u.display_name, 'Someone') as name
    from memberships m
    left join users u on u.id = m.user_id
   where m.community_id = $1::uuid and m.status in ('active', 'pending')
   order by m.status, case m.role when 'admin' then 0 when 'organizer' then 1 else 2 end, name, m.id`;

const EVENT_COLUMNS = `
  e.id, e.title, e.description, e.place_name, e.address, e.online_url, e.time_zone, e.visibility,
  e.status, e.capacity, e.requires_approval, e.guest_limit, e.community_id, e.created_by,
  e.seats_taken, e.waitlist_length,
  c.name as community_name,
  (extract(epoch from e.starts_at) * 1000)::float8 as starts_ms,
  (extract(epoch from e.ends_at) * 1000)::float8 as ends_ms`;

/** Upcoming events (not over, not cancelled); unlisted ones only when the viewer is involved. */
export const UPCOMING_SQL = `
  select ${EVENT_COLUMNS}
    from events e
    join communities c on c.id = e.community_id
   where e.status = 'scheduled' and e.ends_at > now()
     and (e.visibility <> 'unlisted'
          or exists (select 1 from event_hosts h where h.event_id = e.id and h.user_id = $1::uuid)
          or exists (select 1 from rsvps r where r.event_id = e.id and r.user_id = $1::uuid))
   order by e.starts_at, e.id
   limit 500`;

export const COMMUNITY_EVENTS_SQL = `
  select ${EVENT_COLUMNS}
    from events e
    join communities c on c.id = e.community_id
   where e.community_id = $1::uuid and e.ends_at > now()
   order by e.starts_at, e.id`;

export const EVENT_SQL = `
  select ${EVENT_COLUMNS},
         m.role as my_community_role, m.status as my_community_status,
         h.role as my_host_role
    from events e
    join communities c on c.id = e.community_id
    left join memberships m on m.community_id = e.community_id and m.user_id = $2::uuid
    left join event_hosts h on h.event_id = e.id and h.user_id = $2::uuid
   where e.id = $1::uuid`;

export const HOSTS_SQL = `
  select h.id, h.user_id, h.role, coalesce(u.display_name, 'Someone') as name
    from event_hosts h
    left join users u on u.id = h.user_id
   where h.event_id = $1::uuid
   order by case h.role when 'host' then 0 when 'manager' then 1 else 2 end, name, h.id`;

export const MY_RSVP_SQL = `
  select id, status, guests, waitlist_position from rsvps where event_id = $1::uuid and user_id = $2::uuid`;

/** Every RSVP the replica holds for the event: the whole guest list for hosts, one's own otherwise. */
export const GUESTS_SQL = `
  select r.id, r.user_id, r.status, r.guests, r.waitlist_position,
         coalesce(u.display_name, 'Someone') as name,
         (extract(epoch from r.created_at) * 1000)::float8 as created_ms
    from rsvps r
    left join users u on u.id = r.user_id
   where r.event_id = $1::uuid
   order by case r.status when 'pending' then 0 when 'going' then 1 when 'waitlisted' then 2
                          when 'maybe' then 3 else 4 end,
            r.waitlist_position nulls last, name, r.id`;

export const TIERS_SQL = `
  select t.id, t.name, t.description, t.pricing, t.price_cents, t.currency, t.capacity, t.hidden,
         (extract(epoch from t.sales_start_at) * 1000)::float8 as sales_start_ms,
         (extract(epoch from t.sales_end_at) * 1000)::float8 as sales_end_ms
    from ticket_tiers t
   where t.event_id = $1::uuid
   order by t.position, t.name, t.id`;

export const MY_TICKETS_SQL = `
  select t.id, t.status, t.tier_id, coalesce(tt.name, 'Ticket') as tier_name, t.price_cents, t.currency,
         p.signature, p.signing_key_id, p.holder_id as pass_holder_id
    from tickets t
    left join ticket_tiers tt on tt.id = t.tier_id
    left join ticket_passes p on p.ticket_id = t.id
   where t.event_id = $1::uuid and t.holder_id = $2::uuid
   order by t.issued_at, t.id`;

/** The door's guest list: every ticket of the event the replica holds, with holder, tier, check-in. */
export const DOOR_SQL = `
  select t.id, t.event_id, t.holder_id, t.status, t.price_cents, t.currency,
         coalesce(u.display_name, 'Someone') as holder_name,
         coalesce(tt.name, 'Ticket') as tier_name,
         ci.checked_in_by, coalesce(b.display_name, 'a host') as checked_in_by_name,
         (extract(epoch from ci.checked_in_at) * 1000)::float8 as checked_in_ms
    from tickets t
    left join users u on u.id = t.holder_id
    left join ticket_tiers tt on tt.id = t.tier_id
    left join lateral (
      select c.checked_in_by, c.checked_in_at from check_ins c
       where c.ticket_id = t.id order by c.checked_in_at, c.id limit 1
    ) ci on true
    left join users b on b.id = ci.checked_in_by
   where t.event_id = $1::uuid
   order by holder_name, t.id`;

export const MY_TICKET_CHECK_IN_SQL = `
  select c.ticket_id, coalesce(b.display_name, 'a host') as by_name,
         (extract(epoch from c.checked_in_at) * 1000)::float8 as checked_in_ms
    from check_ins c
    left join users b on b.id = c.checked_in_by
   where c.event_id = $1::uuid and c.ticket_id in (select id from tickets where holder_id = $2::uuid)
   order by c.checked_in_at, c.id`;

export const PUBLIC_KEYS_SQL = `select id, public_key from signing_keys`;

export const PEOPLE_SQL = `
  select m.user_id, coalesce(u.display_name, 'Someone') as name
    from memberships m left join users u on u.id = m.user_id
   where m.community_id = $1::uuid and m.status = 'active'
   order by name, m.user_id`;
