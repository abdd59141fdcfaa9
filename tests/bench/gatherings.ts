// `pnpm bench gatherings`: a real Hearth (embedded Postgres, temp DATA_DIR) over real HTTP.
// 1. RSVP mutations/s on ONE popular event under contention: 100 clients answer going / not going in
//    turn (every answer locks the same event row and may promote the waitlist), medians over runs.
// 2. Offline check-in -> another host's device: host A queues check-ins while "offline", then
//    reconnects and sends them as its outbox does (one batch); host B follows the `check_ins` shape
//    live through the gateway (official ShapeStream). Time from reconnect to each row at B.
// Prints figures; asserts nothing.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ShapeStream, isChangeMessage, type Row } from '@electric-sql/client';
import { newId } from '@hearth/schema/ids';
import { parseConfig, REPO_ROOT } from '@hearth/sync-server/config';
import { startHearth, type Hearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { SESSION_COOKIE } from '@hearth/sync-server/auth/session-logic';
import { SHAPES_PATH } from '@hearth/sync-server/gateway/routes';
import { MUTATIONS_PATH } from '@hearth/sync-server/writes/routes';
import { createTestUser, type TestUser } from '@hearth/sync-server/writes/test-support/sessions';
import { formatMs, median, percentile, printRow } from './stats';

const CLIENTS = 100;
const RSVP_RUNS = 3;
const ANSWERS_PER_CLIENT = 20;
const CAPACITY = 40;
const CHECKIN_RUNS = 3;
const CHECKINS_PER_RUN = 25;

interface Call {
  id: string;
  name: string;
  args: unknown;
}

const call = (name: string, args: unknown): Call => ({ id: newId(), name, args });

async function post(baseUrl: string, user: TestUser, mutations: readonly Call[]): Promise<string[]> {
  const response = await fetch(`${baseUrl}${MUTATIONS_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      cookie: `${SESSION_COOKIE}=${user.token}`,
      origin: new URL(baseUrl).origin,
    },
    body: JSON.stringify({ mutations }),
  });
  const body = (await response.json()) as {
    outcomes?: { status: string; code?: string; message?: string }[];
  };
  if (response.status !== 200 || !body.outcomes)
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body.outcomes.map((o) => (o.status === 'accepted' ? o.status : `${o.status} ${o.code ?? ''}`));
}

async function accept(baseUrl: string, user: TestUser, name: string, args: unknown): Promise<void> {
  const [outcome] = await post(baseUrl, user, [call(name, args)]);
  if (outcome !== 'accepted') throw new Error(`${name}: ${outcome}`);
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

async function popularEvent(hearth: Hearth, organizer: TestUser): Promise<string> {
  const communityId = newId();
  await accept(hearth.url, organizer, 'createCommunity', {
    id: communityId,
    membershipId: newId(),
    slug: `bench-${communityId.slice(-8)}`,
    name: 'Bench gatherings',
  });
  const eventId = newId();
  await accept(hearth.url, organizer, 'createEvent', {
    id: eventId,
    hostId: newId(),
    communityId,
    title: 'The popular one',
    startsAt: hoursFromNow(1),
    endsAt: hoursFromNow(4),
    timeZone: 'Europe/London',
    placeName: 'Main hall',
    capacity: CAPACITY,
    guestLimit: 1,
  });
  return eventId;
}

async function rsvpThroughput(hearth: Hearth, eventId: string, clients: readonly TestUser[]) {
  const rates: number[] = [];
  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  for (let run = 0; run < RSVP_RUNS; run++) {
    const begun = performance.now();
    await Promise.all(
      clients.map(async (user, c) => {
        for (let i = 0; i < ANSWERS_PER_CLIENT; i++) {
          // Mostly going (the event is over-subscribed, so the waitlist moves), sometimes leaving.
          const status = (i + c) % 4 === 3 ? 'not_going' : 'going';
          const guests = status === 'going' && (i + c) % 5 === 0 ? 1 : 0;
          const started = performance.now();
          const [outcome] = await post(hearth.url, user, [
            call('setRsvp', { eventId, rsvpId: newId(), status, guests }),
          ]);
          latencies.push(performance.now() - started);
          outcomes.set(outcome ?? '?', (outcomes.get(outcome ?? '?') ?? 0) + 1);
        }
      }),
    );
    rates.push((CLIENTS * ANSWERS_PER_CLIENT) / ((performance.now() - begun) / 1000));
  }
  const { rows } = await hearth.pool.query<{ status: string; n: number }>(
    `select status::text, count(*)::int as n from rsvps where event_id = $1 group by status order by status`,
    [eventId],
  );
  console.log(
    `  RSVPs on one event (capacity ${CAPACITY}): ${CLIENTS} clients x ${ANSWERS_PER_CLIENT} answers, ${RSVP_RUNS} runs`,
  );
  printRow('    setRsvp mutations/s, median of runs', `${Math.round(median(rates))}`);
  printRow('    per run', rates.map((r) => Math.round(r)).join(', '));
  printRow(
    '    request latency p50 / p99',
    `${formatMs(median(latencies))} / ${formatMs(percentile(latencies, 99))}`,
  );
  printRow('    outcomes', [...outcomes].map(([s, n]) => `${s} ${n}`).join(', '));
  printRow('    final RSVPs', rows.map((r) => `${r.status} ${r.n}`).join(', '));
}

/** Host B's device: a live ShapeStream on its `check_ins` shape; notes when each row arrives. */
function followCheckIns(baseUrl: string, host: TestUser) {
  const arrived = new Map<string, number>();
  let waiting: { ids: ReadonlySet<string>; resolve: () => void } | null = null;
  let upToDate!: () => void;
  let failed!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    upToDate = resolve;
    failed = reject;
  });
  const stream = new ShapeStream<Row>({
    url: `${baseUrl}${SHAPES_PATH}/check_ins`,
    headers: { cookie: `${SESSION_COOKIE}=${host.token}` },
    onError: (error) => failed(error instanceof Error ? error : new Error(String(error))),
  });
  stream.subscribe((messages) => {
    const now = performance.now();
    for (const message of messages)
      if (isChangeMessage(message)) arrived.set(message.value.ticket_id as string, now);
    if (stream.isUpToDate) upToDate();
    if (waiting && [...waiting.ids].every((id) => arrived.has(id))) waiting.resolve();
  });
  return {
    ready,
    arrivedAt: (ticketId: string) => arrived.get(ticketId),
    /** Resolves when every ticket has a check-in row at B. */
    all: (ids: ReadonlySet<string>) =>
      [...ids].every((id) => arrived.has(id))
        ? Promise.resolve()
        : new Promise<void>((resolve) => (waiting = { ids, resolve })),
    stop: () => stream.unsubscribeAll(),
  };
}

async function offlineCheckIns(
  hearth: Hearth,
  eventId: string,
  hostA: TestUser,
  guests: readonly TestUser[],
) {
  const hostB = await createTestUser(hearth.pool);
  await accept(hearth.url, hostA, 'addEventHost', {
    eventId,
    userId: hostB.id,
    role: 'checkin',
    hostId: newId(),
  });
  const tierId = newId();
  await accept(hearth.url, hostA, 'createTicketTier', { tierId, eventId, name: 'Door' });
  const tickets: string[] = [];
  for (const guest of guests.slice(0, CHECKIN_RUNS * CHECKINS_PER_RUN)) {
    const ticketId = newId();
    await accept(hearth.url, guest, 'claimTicket', { ticketId, tierId });
    tickets.push(ticketId);
  }
  const b = followCheckIns(hearth.url, hostB);
  await b.ready;
  const firsts: number[] = [];
  const lasts: number[] = [];
  const all: number[] = [];
  const posts: number[] = [];
  for (let run = 0; run < CHECKIN_RUNS; run++) {
    // Offline: the outbox fills (device times are when the guests walked in).
    const batch = tickets.slice(run * CHECKINS_PER_RUN, (run + 1) * CHECKINS_PER_RUN);
    const queued = batch.map((ticketId, i) =>
      call('checkIn', {
        checkInId: newId(),
        eventId,
        ticketId,
        method: 'manual',
        deviceScannedAt: new Date(Date.now() - (batch.length - i) * 1000).toISOString(),
      }),
    );
    // Reconnect: the outbox sends its queue in one batch.
    const sent = performance.now();
    const outcomes = await post(hearth.url, hostA, queued);
    posts.push(performance.now() - sent);
    if (outcomes.some((o) => o !== 'accepted')) throw new Error(`check-ins: ${outcomes.join(', ')}`);
    await b.all(new Set(batch));
    const times = batch.map((id) => (b.arrivedAt(id) ?? sent) - sent);
    all.push(...times);
    firsts.push(Math.min(...times));
    lasts.push(Math.max(...times));
  }
  b.stop();
  console.log(
    `  Offline check-ins reaching another host's device: ${CHECKIN_RUNS} reconnects x ${CHECKINS_PER_RUN} check-ins`,
  );
  printRow('    reconnect -> batch answered, median', formatMs(median(posts)));
  printRow('    reconnect -> first row at host B, median', formatMs(median(firsts)));
  printRow('    reconnect -> last row at host B, median', formatMs(median(lasts)));
  printRow('    per check-in p50 / p99', `${formatMs(median(all))} / ${formatMs(percentile(all, 99))}`);
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-gatherings-'));
  chmodSync(dataDir, 0o755);
  const parsed = parseConfig(
    { DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false' },
    { repoRoot: REPO_ROOT, cwd: REPO_ROOT },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  let hearth: Hearth | undefined;
  try {
    hearth = await startHearth(parsed.config, { log: silentLogger() });
    const organizer = await createTestUser(hearth.pool);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => createTestUser(hearth!.pool)));
    const eventId = await popularEvent(hearth, organizer);
    console.log('gatherings: POST /api/mutations on a real Hearth, one event row locked per answer');
    await rsvpThroughput(hearth, eventId, clients);
    await offlineCheckIns(hearth, eventId, organizer, clients);
  } finally {
    await hearth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
