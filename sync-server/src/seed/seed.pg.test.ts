import { verify } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUuidV7 } from '@hearth/schema/ids';
import { freshDatabase, type FreshDatabase } from '../../../tests/support/postgres';
import { silentLogger } from '../log';
import { ticketCodeOfPass, verifyTicketCode } from '@hearth/schema/tickets/code';
import { DEMO_LOGIN, DEMO_TIER_CODE, events, stories, users } from './demo-data';
import { seedDemoIfEmpty } from './seed';

describe('the demo seed', () => {
  let db: FreshDatabase;
  const now = new Date('2026-03-10T12:00:00Z');
  beforeAll(async () => {
    db = await freshDatabase({ migrate: true });
  });
  afterAll(() => db.drop());

  const count = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]?.n);

  it('[SD1] fills an empty database in one go', async () => {
    const summary = await seedDemoIfEmpty(db.pool, silentLogger(), now);
    expect(summary).toEqual({
      users: users.length,
      communities: 4,
      events: events.length,
      stories: stories.length,
    });
    expect(await count('select count(*) as n from users')).toBe(users.length);
    expect(await count(`select count(*) as n from communities where visibility = 'private'`)).toBeGreaterThan(
      0,
    );
    expect(await count(`select count(*) as n from communities where visibility = 'public'`)).toBeGreaterThan(
      0,
    );
    expect(await count('select count(*) as n from rsvps')).toBeGreaterThan(10);
    const { rows } = await db.pool.query<{ id: string }>(
      'select id from users union all select id from stories',
    );
    expect(rows.every((r) => isUuidV7(r.id))).toBe(true);
  });

  it('[SD2] the demo login is an argon2id hash of the demo password, in the server-only identities table', async () => {
    const { rows } = await db.pool.query<{ password_hash: string; display_name: string }>(
      `select i.password_hash, u.display_name from identities i join users u on u.id = i.user_id
       where i.provider = 'password' and lower(i.email) = $1`,
      [DEMO_LOGIN.email],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verify(rows[0]!.password_hash, DEMO_LOGIN.password)).toBe(true);
  });

  it('[SD3] gatherings are upcoming, at their local wall-clock time, in several time zones', async () => {
    const { rows } = await db.pool.query<{
      title: string;
      local: string;
      time_zone: string;
      starts_at: Date;
    }>(
      `select title, to_char(starts_at at time zone time_zone, 'HH24:MI') as local, time_zone, starts_at
       from events`,
    );
    expect(rows.every((r) => r.starts_at > now)).toBe(true);
    const letters = rows.find((r) => r.title.startsWith('Story Circle'));
    expect(letters).toMatchObject({ local: '19:00', time_zone: 'Europe/London' });
    expect(new Set(rows.map((r) => r.time_zone)).size).toBeGreaterThanOrEqual(5);
    expect(await count(`select count(*) as n from events where online_url is not null`)).toBeGreaterThan(0);
    expect(await count(`select count(*) as n from events where capacity is not null`)).toBeGreaterThan(0);
  });

  it('[SD4] no gathering has more seats taken than its capacity; the waitlist is in order', async () => {
    expect(
      await count(
        `select count(*) as n from events e
         where e.capacity < (select coalesce(sum(1 + r.guests), 0) from rsvps r
                             where r.event_id = e.id and r.status = 'going')`,
      ),
    ).toBe(0);
    expect(await count(`select count(*) as n from rsvps where status = 'waitlisted'`)).toBeGreaterThan(0);
  });

  it('[SD5] published stories come in several languages, each tagged with emotions and a first version', async () => {
    const { rows } = await db.pool.query<{ language: string }>(`select distinct language from stories`);
    expect(rows.map((r) => r.language).sort()).toEqual(['ar', 'en', 'es', 'fr', 'ja', 'sw']);
    expect(
      await count(
        `select count(*) as n from stories s
         where (select count(*) from story_emotions e where e.story_id = s.id) < 2
            or not exists (select 1 from story_versions v where v.story_id = s.id and v.version = 1)
            or not exists (select 1 from story_authors a where a.story_id = s.id)`,
      ),
    ).toBe(0);
  });

  it('[SD4][GA21] demo tickets carry passes that verify with the synced public key; the hidden tier has its code', async () => {
    const passes = await db.pool.query<{
      ticket_id: string;
      holder_id: string;
      signature: string;
      signing_key_id: string;
      event_id: string;
    }>(
      `select p.ticket_id, p.holder_id, p.signature, p.signing_key_id, t.event_id
       from ticket_passes p join tickets t on t.id = p.ticket_id`,
    );
    expect(passes.rows.length).toBeGreaterThanOrEqual(4);
    const keys = (
      await db.pool.query<{ id: string; public_key: Uint8Array }>(`select id, public_key from signing_keys`)
    ).rows;
    for (const pass of passes.rows)
      expect(verifyTicketCode(ticketCodeOfPass(pass, pass.event_id), keys).ok).toBe(true);
    expect(
      await count(
        `select count(*) as n from ticket_tier_codes c join ticket_tiers t on t.id = c.tier_id
         where t.hidden and c.code_hash = sha256(convert_to('${DEMO_TIER_CODE}', 'UTF8'))`,
      ),
    ).toBe(1);
    // Owed at the door: one on the tamales, one on the demo user's own story circle (GA34).
    expect(
      await count(`select count(*) as n from payments where provider = 'in_person' and status = 'pending'`),
    ).toBe(2);
  });

  it('[SD6] runs once: a database that has users is left alone', async () => {
    expect(await seedDemoIfEmpty(db.pool, silentLogger(), now)).toBeNull();
    expect(await count('select count(*) as n from users')).toBe(users.length);
    expect(await count('select count(*) as n from identities')).toBe(1);
  });
});
