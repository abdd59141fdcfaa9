// `pnpm bench writes`: mutations/s through the real POST /api/mutations (validated, authorized, applied,
// receipt committed) of a real Hearth (embedded Postgres, temp DATA_DIR) running in its own process,
// 50 concurrent clients, one user and session each; the same clients against the write floor (a bare
// server doing one durable INSERT per mutation); then the same load while each user's second device
// follows its `receipts` shape live through the gateway, measuring POST -> receipt arriving there:
// with lightweight long-poll clients (the server's figure), then with the official client (its CPU
// printed beside). Prints latency, throughput and every process' CPU; asserts nothing.
// BENCH_WRITES=single,floor,batch,receipts,receipts-official picks scenarios (all by default), for
// A/B runs; BENCH_SERVER_NODE_ARGS adds node flags to the server process (e.g. --cpu-prof).
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { newId } from '@hearth/schema/ids';
import { SESSION_COOKIE } from '@hearth/sync-server/auth/session-logic';
import { SHAPES_PATH } from '@hearth/sync-server/gateway/routes';
import { MUTATIONS_PATH } from '@hearth/sync-server/writes/routes';
import { createTestUser, type TestUser } from '@hearth/sync-server/writes/test-support/sessions';
import { formatMs, median, percentile, printRow } from './stats';
import { Child } from './sync/ipc';
import { combine, describeLoad, LoadMeter, MachineMeter, monotonicMs, type Load } from './sync/load';
import { RawConnection } from './sync/raw-http';
import type { ReceiptWatchersApi } from './sync/receipt-watchers';
import type { ServerApi } from './sync/server';
import type { WriteFloorServerApi } from './sync/write-floor-server';

const CLIENTS = 50;
/** Hearth's pool size (hearth.ts), which the floor server's pool gets too. */
const HEARTH_POOL_SIZE = 10;
const WARMUP_REQUESTS = 5;
/**
 * The second devices: lightweight long-poll loops (one process is plenty), or official ShapeStreams,
 * 10 users to a process (each costs milliseconds per long poll; 50 on one loop queued for tens of ms).
 */
type Watchers = 'light' | 'official';
const WATCHER_PROCESSES: Readonly<Record<Watchers, number>> = { light: 1, official: 5 };

interface Scenario {
  label: string;
  batchSize: number;
  requestsPerClient: number;
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  single: { label: '1 mutation per request', batchSize: 1, requestsPerClient: 60 },
  batch: { label: '10 mutations per request', batchSize: 10, requestsPerClient: 20 },
};
/** The floor: the single scenario against a bare server doing one durable INSERT per mutation. */
const FLOOR: Scenario = {
  label: 'floor: 1 mutation per request, bare node:http, one autocommitted INSERT each',
  batchSize: 1,
  requestsPerClient: 60,
};
const CHOSEN = (process.env.BENCH_WRITES ?? 'single,floor,batch,receipts,receipts-official').split(',');

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (ms) of the postmaster's children (backends, WAL writer, ...), from /proc on Linux. */
function postgresCpuMs(pgDir: string): number {
  let postmaster: string;
  try {
    postmaster = readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '';
  } catch {
    return Number.NaN;
  }
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[1] !== postmaster && pid !== postmaster) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** A server process whose CPU is measured: Hearth's, or the floor's. */
interface Measured {
  mark(): Promise<void>;
  load(): Promise<Load>;
}

function measured(child: Child<ServerApi> | Child<WriteFloorServerApi>): Measured {
  const server = child as Child<WriteFloorServerApi>;
  return { mark: () => server.call('mark', undefined), load: () => server.call('load', undefined) };
}

/** The server's CPU and event-loop delay, Postgres' CPU and the whole machine's, per scenario. */
class Meters {
  private readonly machine = new MachineMeter();
  /** This process: the posting clients. */
  private readonly clients = new LoadMeter();
  private postgresMarkMs = 0;
  private markedAt = 0;
  constructor(
    private readonly server: Measured,
    private readonly pgDir: string,
  ) {}
  /** The same meters on another server process (the floor), against the same Postgres. */
  on(server: Measured): Meters {
    return new Meters(server, this.pgDir);
  }
  async mark(): Promise<void> {
    await this.server.mark();
    this.clients.mark();
    this.machine.mark();
    this.postgresMarkMs = postgresCpuMs(this.pgDir);
    this.markedAt = performance.now();
  }
  /** CPU per mutation is the figure that drifts least on a shared machine; throughput drifts most. */
  async print(mutations: number): Promise<void> {
    const busy = this.machine.read();
    const clients = this.clients.read();
    const postgres = postgresCpuMs(this.pgDir) - this.postgresMarkMs;
    const wall = performance.now() - this.markedAt;
    const server = await this.server.load();
    const perMutation = (cpuMs: number) => `${Math.round((cpuMs * 1000) / mutations)} us CPU per mutation`;
    printRow('    server process', `${perMutation(server.cpuMs)}; ${describeLoad(server)}`);
    printRow(
      '    Postgres processes',
      `${perMutation(postgres)}; CPU ${Math.round((postgres / wall) * 100)}%`,
    );
    printRow('    posting clients (this process)', describeLoad(clients));
    printRow('    machine busy (all processes)', `${Math.round(busy)}%`);
  }
}

/** A client's next mutations: profile edits and follow/unfollow of a public community, in turn. */
function nextBatch(communityId: string, size: number, counter: { n: number }) {
  return Array.from({ length: size }, () => {
    const n = counter.n++;
    const id = newId();
    switch (n % 3) {
      case 0:
        return { id, name: 'updateProfile', args: { bio: `bench ${n}` } };
      case 1:
        return { id, name: 'followCommunity', args: { communityId, followId: newId() } };
      default:
        return { id, name: 'unfollowCommunity', args: { communityId } };
    }
  });
}

/**
 * One client's keep-alive connection, POSTing as a browser would: the real session cookie and the
 * Origin check. Raw sockets (raw-http.ts): with fetch the 50 clients took most of a core of this
 * 2-core machine, which left the server less than it would have alone.
 */
class Poster {
  private readonly connection: RawConnection;
  private readonly path: string;
  private readonly headers: string;
  constructor(url: string, user: TestUser) {
    const { hostname, port, pathname, origin } = new URL(url);
    this.connection = new RawConnection(hostname, Number(port));
    this.path = pathname;
    this.headers =
      `content-type: application/json\r\ncookie: ${SESSION_COOKIE}=${user.token}\r\n` +
      `origin: ${origin}\r\n`;
  }

  async post(mutations: unknown[]): Promise<string[]> {
    const answer = await this.connection.post(this.path, this.headers, JSON.stringify({ mutations }));
    const text = answer.body?.toString('utf8') ?? '';
    const body = JSON.parse(text) as { outcomes?: { status: string }[] };
    if (answer.status !== 200 || !body.outcomes) throw new Error(`HTTP ${answer.status}: ${text}`);
    return body.outcomes.map((outcome) => outcome.status);
  }

  close(): void {
    this.connection.destroy();
  }
}

async function runScenario(
  url: string,
  users: readonly TestUser[],
  communityId: string,
  scenario: Scenario,
  meters: Meters,
) {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const client = async (user: TestUser) => {
    const counter = { n: 0 };
    const poster = new Poster(url, user);
    try {
      for (let i = 0; i < WARMUP_REQUESTS; i++)
        await poster.post(nextBatch(communityId, scenario.batchSize, counter));
      await ready;
      for (let i = 0; i < scenario.requestsPerClient; i++) {
        const batch = nextBatch(communityId, scenario.batchSize, counter);
        const started = performance.now();
        const outcomes = await poster.post(batch);
        latencies.push(performance.now() - started);
        for (const status of outcomes) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    } finally {
      poster.close();
    }
  };
  let start!: () => void;
  const ready = new Promise<void>((resolve) => (start = resolve));
  const clients = Promise.all(users.map(client));
  // Warm-up requests finish at different times; measure from when the last client is warm.
  await meters.mark();
  const begun = performance.now();
  start();
  await clients;
  const seconds = (performance.now() - begun) / 1000;
  const mutations = latencies.length * scenario.batchSize;
  console.log(`  ${scenario.label} (${CLIENTS} clients, ${latencies.length} requests)`);
  printRow(
    '    request latency p50 / p99',
    `${formatMs(median(latencies))} / ${formatMs(percentile(latencies, 99))}`,
  );
  printRow('    mutations/s', `${Math.round(mutations / seconds)}`);
  printRow('    outcomes', [...statuses].map(([status, n]) => `${status} ${n}`).join(', '));
  await meters.print(mutations);
  return mutations / seconds;
}

/**
 * Each user's other device: a live ShapeStream on their `receipts` shape, through the gateway, in
 * processes of their own (receipt-watchers.ts), a few users each: the official client costs
 * milliseconds of CPU per long poll, and 50 of them on one event loop queued behind each other for
 * tens of milliseconds, which the figure then counted as delivery time. Times are CLOCK_MONOTONIC in
 * every process.
 */
class ReceiptWatch {
  private readonly sentAt = new Map<string, number>();
  private readonly answeredAt = new Map<string, number>();
  /** Which watcher process follows each id's user. */
  private readonly watcherOf = new Map<string, Child<ReceiptWatchersApi>>();
  private readonly watchers: Child<ReceiptWatchersApi>[];
  private readonly userWatcher = new Map<string, Child<ReceiptWatchersApi>>();

  constructor(readonly kind: Watchers) {
    this.watchers = Array.from(
      { length: WATCHER_PROCESSES[kind] },
      (_, i) =>
        new Child<ReceiptWatchersApi>(
          `receipt watchers ${i + 1}`,
          new URL('./sync/receipt-watchers.ts', import.meta.url),
        ),
    );
  }

  /** Resolves once every user's stream is up to date. */
  async start(baseUrl: string, users: readonly TestUser[]): Promise<void> {
    await Promise.all(
      this.watchers.map((watcher, w) => {
        const mine = users.filter((_, i) => i % this.watchers.length === w);
        for (const user of mine) this.userWatcher.set(user.id, watcher);
        return watcher.call(this.kind === 'light' ? 'openLight' : 'open', {
          url: `${baseUrl}${SHAPES_PATH}/receipts`,
          cookies: mine.map((user) => `${SESSION_COOKIE}=${user.token}`),
        });
      }),
    );
  }

  /** Right before POSTing (the receipt's id is the mutation's id), and when the POST answered. */
  sent(user: TestUser, ids: readonly string[]): void {
    const now = monotonicMs();
    const watcher = this.userWatcher.get(user.id) as Child<ReceiptWatchersApi>;
    for (const id of ids) {
      this.sentAt.set(id, now);
      this.watcherOf.set(id, watcher);
    }
  }
  answered(ids: readonly string[]): void {
    const now = monotonicMs();
    for (const id of ids) this.answeredAt.set(id, now);
  }

  /** Once every sent mutation's receipt has arrived: arrival minus sent, and minus answered. */
  async latencies(): Promise<{ fromSent: number[]; fromAnswered: number[] }> {
    const fromSent: number[] = [];
    const fromAnswered: number[] = [];
    await Promise.all(
      this.watchers.map(async (watcher) => {
        const ids = [...this.watcherOf].filter(([, w]) => w === watcher).map(([id]) => id);
        const arrived = await watcher.call('arrivals', { ids });
        ids.forEach((id, i) => {
          fromSent.push((arrived[i] as number) - (this.sentAt.get(id) as number));
          fromAnswered.push((arrived[i] as number) - (this.answeredAt.get(id) as number));
        });
      }),
    );
    return { fromSent, fromAnswered };
  }

  async mark(): Promise<void> {
    await Promise.all(this.watchers.map((watcher) => watcher.call('mark', undefined)));
  }
  async load(): Promise<Load> {
    return combine(await Promise.all(this.watchers.map((watcher) => watcher.call('load', undefined))));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.watchers.map(async (watcher) => {
        await watcher.call('close', undefined).catch(() => undefined);
        await watcher.stop();
      }),
    );
  }
}

async function runReceiptScenario(
  baseUrl: string,
  users: readonly TestUser[],
  communityId: string,
  meters: Meters,
  kind: Watchers,
) {
  const watch = new ReceiptWatch(kind);
  try {
    await watch.start(baseUrl, users);
    const url = `${baseUrl}${MUTATIONS_PATH}`;
    const requestsPerClient = 100;
    await Promise.all([meters.mark(), watch.mark()]);
    const begun = performance.now();
    await Promise.all(
      users.map(async (user) => {
        const counter = { n: 0 };
        const poster = new Poster(url, user);
        try {
          for (let i = 0; i < requestsPerClient; i++) {
            const ids = nextBatch(communityId, 1, counter);
            watch.sent(
              user,
              ids.map((mutation) => mutation.id),
            );
            await poster.post(ids);
            watch.answered(ids.map((mutation) => mutation.id));
          }
        } finally {
          poster.close();
        }
      }),
    );
    const { fromSent: fromPost, fromAnswered: fromAnswer } = await watch.latencies();
    const seconds = (performance.now() - begun) / 1000;
    console.log(
      `  POST -> receipt in the user's other client (${CLIENTS} posting clients; ${CLIENTS} live receipt shapes: ` +
        (kind === 'light'
          ? 'lightweight long-poll loops in another process)'
          : `official ShapeStreams in ${WATCHER_PROCESSES.official} other processes)`),
    );
    printRow(
      '    from POST sent: p50 / p99',
      `${formatMs(median(fromPost))} / ${formatMs(percentile(fromPost, 99))}   (target p99 <= 150 ms)`,
    );
    printRow(
      '    from POST answered (sync only): p50 / p99',
      `${formatMs(median(fromAnswer))} / ${formatMs(percentile(fromAnswer, 99))}`,
    );
    printRow('    mutations/s with the live shapes', `${Math.round(fromPost.length / seconds)}`);
    printRow('    receipt stream processes (all)', describeLoad(await watch.load()));
    await meters.print(fromPost.length);
  } finally {
    await watch.stop();
  }
}

/** The single scenario against the write floor, in a process of its own on the same Postgres. */
async function runFloor(
  databaseUrl: string,
  users: readonly TestUser[],
  communityId: string,
  meters: Meters,
) {
  const floor = new Child<WriteFloorServerApi>(
    'write floor server',
    new URL('./sync/write-floor-server.ts', import.meta.url),
  );
  try {
    const { url } = await floor.call('start', { databaseUrl, connections: HEARTH_POOL_SIZE });
    return await runScenario(
      `${url}${MUTATIONS_PATH}`,
      users,
      communityId,
      FLOOR,
      meters.on(measured(floor)),
    );
  } finally {
    await floor.call('stop', undefined).catch(() => undefined);
    await floor.stop();
  }
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-writes-'));
  // Embedded Postgres runs as the `postgres` user when we are root: it must reach the folder.
  chmodSync(dataDir, 0o755);
  // The server in its own process: the clients' CPU (raw posts, the official ShapeStream) is not its.
  const server = new Child<ServerApi>('writes server', new URL('./sync/server.ts', import.meta.url), {
    // e.g. BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server alone.
    execArgv: ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
  });
  let pool: pg.Pool | undefined;
  try {
    const { url: baseUrl, databaseUrl } = await server.call('start', { dataDir });
    pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    const db = pool;
    const users = await Promise.all(Array.from({ length: CLIENTS }, () => createTestUser(db)));
    const communityId = newId();
    await db.query(`insert into communities (id, slug, name, created_by) values ($1, 'bench', 'Bench', $2)`, [
      communityId,
      users[0]?.id,
    ]);
    const meters = new Meters(measured(server), path.join(dataDir, 'pg'));
    console.log(
      'writes: POST /api/mutations -> validate, authorize, apply, receipt (group commit, a savepoint each)',
    );
    const rates = new Map<string, number>();
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (!CHOSEN.includes(name)) continue;
      rates.set(name, await runScenario(`${baseUrl}${MUTATIONS_PATH}`, users, communityId, scenario, meters));
      if (name === 'single' && CHOSEN.includes('floor')) {
        const floorRate = await runFloor(databaseUrl, users, communityId, meters);
        printRow('    Hearth / floor, mutations/s', `${((rates.get('single') ?? 0) / floorRate).toFixed(2)}`);
      }
    }
    if (CHOSEN.includes('receipts')) await runReceiptScenario(baseUrl, users, communityId, meters, 'light');
    if (CHOSEN.includes('receipts-official'))
      await runReceiptScenario(baseUrl, users, communityId, meters, 'official');
  } finally {
    await pool?.end();
    await server.call('stop', undefined).catch(() => undefined);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
