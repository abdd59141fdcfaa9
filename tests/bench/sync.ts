// `pnpm bench sync`: the shape engine through the full Hearth server (issue 7, "Benchmark"): fan-out
// latency with lightweight and official live clients, ingest with 1,000 `col = const` shapes against
// raw logical decoding, initial sync of 100,000 rows (ShapeStream, PGlite), and server memory per held
// live request. The server, the lightweight clients and the official clients each run in processes of
// their own, so every figure is printed with the CPU and event-loop delay of who produced it.
// Figures are printed, never asserted. Sizes: SYNC_BENCH_* variables (see `settings`).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Child } from './sync/ipc';
import type { CapturedAnswer, FloorServerApi } from './sync/floor-server';
import type { LightClient, LightClientsApi } from './sync/light-clients';
import { combine, describeLoad, MachineMeter, monotonicMs, type Load } from './sync/load';
import type { OfficialClientsApi } from './sync/official-clients';
import type { ServerApi } from './sync/server';
import { formatMs, median, percentile, printRow } from './stats';

function numbers(name: string, fallback: readonly number[]): readonly number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new Error(
      `${name}=${raw}: use whole numbers separated by commas, e.g. ${name}=${fallback.join(',')}`,
    );
  }
  return values;
}

function number(name: string, fallback: number): number {
  return numbers(name, [fallback])[0] ?? fallback;
}

const PARTS = ['memory', 'fanout', 'official', 'ingest', 'initial'] as const;
type Part = (typeof PARTS)[number];

/** Every size can be made smaller for a quick run, e.g. SYNC_BENCH_FANOUT=1,100 SYNC_BENCH_ROWS=10000. */
function settings() {
  const parts = (process.env.SYNC_BENCH_PARTS ?? PARTS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new Error(`SYNC_BENCH_PARTS: unknown ${unknown.join(', ')}; use some of ${PARTS.join(',')}`);
  }
  return {
    parts: new Set(parts as Part[]),
    memory: numbers('SYNC_BENCH_MEMORY', [1_000, 10_000]),
    fanOut: numbers('SYNC_BENCH_FANOUT', [1, 100, 1_000, 10_000]),
    /** Measured writes per fan-out level: fewer with more clients, each round costs more. */
    rounds: (clients: number) =>
      number('SYNC_BENCH_ROUNDS', clients >= 10_000 ? 15 : clients >= 1_000 ? 30 : 60),
    official: numbers('SYNC_BENCH_OFFICIAL', [1, 50]),
    clientsPerProcess: number('SYNC_BENCH_CLIENTS_PER_PROCESS', 5_000),
    ingestShapes: number('SYNC_BENCH_INGEST_SHAPES', 1_000),
    ingestChanges: number('SYNC_BENCH_INGEST_CHANGES', 100_000),
    ingestTxRows: number('SYNC_BENCH_INGEST_TX_ROWS', 100),
    rows: number('SYNC_BENCH_ROWS', 100_000),
  };
}

type Settings = ReturnType<typeof settings>;

const WARMUP_ROUNDS = 3;
const CEILING_SLOT = 'hearth_bench_ceiling';
const PUBLICATION = 'hearth_pub';
const END_MARKER = 'bench-end-marker';

interface Bench {
  readonly settings: Settings;
  readonly server: Child<ServerApi>;
  readonly pool: pg.Pool;
  readonly shapeUrl: string;
  readonly secret: string;
  readonly fdLimit: number;
  readonly children: Set<Child<LightClientsApi> | Child<OfficialClientsApi>>;
}

const ms = (value: number) => formatMs(value);
const count = (n: number) => n.toLocaleString('en');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Reads a shape from -1 to its first up-to-date (creating it if need be): where a live client starts. */
async function catchUp(
  bench: Bench,
  params: Record<string, string>,
): Promise<{ handle: string; offset: string }> {
  let handle: string | undefined;
  let offset = '-1';
  for (let i = 0; i < 1_000; i++) {
    const query = new URLSearchParams({ ...params, secret: bench.secret, offset });
    if (handle !== undefined) query.set('handle', handle);
    const response = await fetch(`${bench.shapeUrl}?${query.toString()}`, {
      signal: AbortSignal.timeout(120_000),
    });
    await response.arrayBuffer();
    if (response.status !== 200) {
      throw new Error(`GET /v1/shape ${JSON.stringify(params)} answered ${response.status}`);
    }
    handle = response.headers.get('electric-handle') ?? handle;
    offset = response.headers.get('electric-offset') ?? offset;
    if (response.headers.has('electric-up-to-date') && handle !== undefined) return { handle, offset };
  }
  throw new Error(`the shape ${JSON.stringify(params)} never reached up-to-date`);
}

function lightClients(bench: Bench): Child<LightClientsApi> {
  const child = new Child<LightClientsApi>(
    'light clients',
    new URL('./sync/light-clients.ts', import.meta.url),
    // e.g. SYNC_BENCH_CLIENT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to see what the clients cost.
    { execArgv: (process.env.SYNC_BENCH_CLIENT_NODE_ARGS ?? '').split(' ').filter(Boolean) },
  );
  bench.children.add(child);
  return child;
}

function officialClients(bench: Bench): Child<OfficialClientsApi> {
  const child = new Child<OfficialClientsApi>(
    'official clients',
    new URL('./sync/official-clients.ts', import.meta.url),
  );
  bench.children.add(child);
  return child;
}

async function stopChild(bench: Bench, child: Child<LightClientsApi> | Child<OfficialClientsApi>) {
  bench.children.delete(child);
  await child.stop();
}

/** Splits clients over processes: at least one per core once there are many, within the fd limit. */
function spread<T>(bench: Bench, clients: readonly T[]): T[][] {
  const perProcess = Math.max(1, Math.min(bench.settings.clientsPerProcess, bench.fdLimit - 1_000));
  const processes = Math.max(
    Math.ceil(clients.length / perProcess),
    clients.length >= 1_000 ? Math.min(2, os.cpus().length) : 1,
  );
  const groups: T[][] = Array.from({ length: processes }, () => []);
  clients.forEach((client, i) => groups[i % processes]?.push(client));
  return groups;
}

interface LoadLine {
  readonly clients: Load;
  readonly server: Load;
  readonly machinePercent: number;
}

function printLoads(loads: LoadLine, clientLabel: string): void {
  printRow(`      ${clientLabel}`, describeLoad(loads.clients));
  printRow('      server', describeLoad(loads.server));
  printRow('      machine (all processes, Postgres too)', `${Math.round(loads.machinePercent)}% busy`);
}

// ---- fan-out ----

let fanOutRow = 0;

/** What a fan-out level writes to and measures: Hearth (a row INSERTed) or the bare floor server. */
interface FanOutTarget {
  /** Where the live clients poll. */
  readonly shapeUrl: string;
  live(bounds: { atLeast?: number; atMost?: number }): Promise<number>;
  /** One write every held client must receive. */
  write(id: number): Promise<void>;
  mark(): Promise<void>;
  load(): Promise<Load>;
}

function hearthTarget(bench: Bench): FanOutTarget {
  const { server, pool } = bench;
  return {
    shapeUrl: bench.shapeUrl,
    live: (bounds) => server.call('live', bounds),
    write: async (id) => {
      await pool.query(`insert into bench_fanout (id, payload) values ($1, $2)`, [
        id,
        `write ${id} `.repeat(8),
      ]);
    },
    mark: () => server.call('mark', undefined),
    load: () => server.call('load', undefined),
  };
}

/** One fan-out level: `clients` live requests on one shape, then sequential writes, each awaited by all. */
async function fanOutLevel(
  target: FanOutTarget,
  start: { handle: string; offset: string },
  clients: number,
  open: (start: { handle: string; offset: string }) => Promise<{
    round: (round: number) => Promise<Float64Array>;
    mark: () => Promise<void>;
    load: () => Promise<Load>;
    close: () => Promise<void>;
  }>,
  rounds: number,
): Promise<{ latencies: number[]; loads: LoadLine }> {
  const group = await open(start);
  try {
    await target.live({ atLeast: clients });
    const machine = new MachineMeter();
    const latencies: number[] = [];
    for (let round = 1; round <= WARMUP_ROUNDS + rounds; round++) {
      if (round === WARMUP_ROUNDS + 1) {
        await Promise.all([target.mark(), group.mark()]);
        machine.mark();
      }
      // Every client is held again before the next write: each write measures a full fan-out.
      await target.live({ atLeast: clients });
      const id = ++fanOutRow;
      const written = monotonicMs();
      await target.write(id);
      const received = await group.round(round);
      if (round > WARMUP_ROUNDS) for (const at of received) latencies.push(at - written);
    }
    const loads: LoadLine = {
      clients: await group.load(),
      server: await target.load(),
      machinePercent: machine.read(),
    };
    return { latencies, loads };
  } finally {
    await group.close();
    await target.live({ atMost: 0 });
  }
}

async function lightGroup(
  bench: Bench,
  clients: number,
  start: { handle: string; offset: string },
  shapeUrl = bench.shapeUrl,
) {
  const all: LightClient[] = Array.from({ length: clients }, () => start);
  const children = spread(bench, all).map((part) => ({ child: lightClients(bench), part }));
  await Promise.all(
    children.map(({ child, part }) =>
      child.call('open', {
        url: shapeUrl,
        params: { table: 'bench_fanout', secret: bench.secret },
        clients: part,
      }),
    ),
  );
  return {
    processes: children.length,
    round: async (round: number) => {
      const parts = await Promise.all(children.map(({ child }) => child.call('round', { round })));
      return Float64Array.from(parts.flatMap((p) => [...p]));
    },
    mark: async () => {
      await Promise.all(children.map(({ child }) => child.call('mark', undefined)));
    },
    load: async () => combine(await Promise.all(children.map(({ child }) => child.call('load', undefined)))),
    close: async () => {
      const closed = await Promise.all(children.map(({ child }) => child.call('close', undefined)));
      await Promise.all(children.map(({ child }) => stopChild(bench, child)));
      const errors = closed.flatMap((c) => Object.entries(c.errors));
      if (errors.length > 0) console.log(`      (client errors: ${JSON.stringify(errors)})`);
    },
  };
}

function printLatency(label: string, latencies: readonly number[], target: string): void {
  printRow(
    label,
    `p50 ${ms(median(latencies))} / p99 ${ms(percentile(latencies, 99))} / max ${ms(percentile(latencies, 100))}` +
      (target ? `   (target ${target})` : ''),
  );
}

/** Headers Node writes itself (or that describe one connection), left out of a replayed answer. */
const HOP_BY_HOP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Hearth's live answer to one write, headers and body, for the floor server to replay. */
async function captureLiveAnswer(bench: Bench): Promise<CapturedAnswer> {
  const start = await catchUp(bench, { table: 'bench_fanout' });
  const query = new URLSearchParams({ table: 'bench_fanout', secret: bench.secret, live: 'true', ...start });
  const answer = fetch(`${bench.shapeUrl}?${query.toString()}`, { signal: AbortSignal.timeout(120_000) });
  await bench.server.call('live', { atLeast: 1 });
  await hearthTarget(bench).write(++fanOutRow);
  const response = await answer;
  const body = await response.text();
  if (response.status !== 200) throw new Error(`the live request answered ${response.status}: ${body}`);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  await bench.server.call('live', { atMost: 0 });
  return { headers, body };
}

function floorTarget(floor: Child<FloorServerApi>, shapeUrl: string): FanOutTarget {
  return {
    shapeUrl,
    live: (bounds) => floor.call('live', bounds),
    write: async () => {
      await floor.call('publish', undefined);
    },
    mark: () => floor.call('mark', undefined),
    load: () => floor.call('load', undefined),
  };
}

async function fanOut(bench: Bench): Promise<void> {
  console.log('\nfan-out: write (INSERT, autocommit) -> every live client has the response body');
  console.log(
    '  lightweight clients: long-poll loops, each on one raw keep-alive socket, parsing only the headers they need',
  );
  console.log(
    "  floor: the same clients against a bare node:http server replaying Hearth's answer to all held requests in one loop turn",
  );
  const floor = new Child<FloorServerApi>(
    'floor server',
    new URL('./sync/floor-server.ts', import.meta.url),
    {
      execArgv: [
        '--max-semi-space-size=32',
        ...(process.env.SYNC_BENCH_FLOOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ],
    },
  );
  try {
    const { url: floorUrl } = await floor.call('start', await captureLiveAnswer(bench));
    const targets = { hearth: hearthTarget(bench), floor: floorTarget(floor, floorUrl) };
    for (const clients of bench.settings.fanOut) {
      if (clients + 1_000 > bench.fdLimit) {
        printRow(`  ${count(clients)} clients`, `skipped: the server's fd limit is ${bench.fdLimit}`);
        continue;
      }
      const rounds = bench.settings.rounds(clients);
      const start = await catchUp(bench, { table: 'bench_fanout' });
      const runs: Partial<Record<keyof typeof targets, number[]>> = {};
      for (const [name, target] of Object.entries(targets) as [keyof typeof targets, FanOutTarget][]) {
        let processes = 0;
        const result = await fanOutLevel(
          target,
          start,
          clients,
          async (from) => {
            const group = await lightGroup(bench, clients, from, target.shapeUrl);
            processes = group.processes;
            return group;
          },
          rounds,
        );
        runs[name] = result.latencies;
        const who = name === 'hearth' ? '' : ', floor';
        printLatency(
          `  ${count(clients)} client${clients > 1 ? 's' : ''} (${rounds} writes, ${processes} process${processes > 1 ? 'es' : ''}${who})`,
          result.latencies,
          clients === 1_000 && name === 'hearth' ? 'p50 <= 15 ms, p99 <= 100 ms' : '',
        );
        printLoads(result.loads, 'clients');
        printServerCost(result.loads.server, rounds, clients);
      }
      if (runs.hearth && runs.floor) {
        printRow(
          '      Hearth / floor, p50 and p99',
          `${(median(runs.hearth) / median(runs.floor)).toFixed(2)} / ${(percentile(runs.hearth, 99) / percentile(runs.floor, 99)).toFixed(2)}`,
        );
      }
    }
  } finally {
    await floor.call('stop', undefined).catch(() => undefined);
    await floor.stop();
  }
}

/** Server CPU time per write and per client round trip (response + the next request): load-independent. */
function printServerCost(server: Load, rounds: number, clients: number): void {
  const perWrite = server.cpuMs / rounds;
  printRow(
    '      server CPU per write / per client round trip',
    `${ms(perWrite)} / ${Math.round((perWrite * 1000) / clients)} µs`,
  );
}

async function memory(bench: Bench): Promise<void> {
  const { server } = bench;
  console.log(
    '\nmemory: server RSS with idle live requests held (after a full GC, server in its own process)',
  );
  const start = await catchUp(bench, { table: 'bench_fanout' });
  const base = await server.call('memory', undefined);
  printRow('  no live request held', `RSS ${mib(base.rss)}, JS heap ${mib(base.heapUsed)}`);
  for (const clients of bench.settings.memory) {
    if (clients + 1_000 > bench.fdLimit) {
      printRow(`  ${count(clients)} held`, `skipped: the server's fd limit is ${bench.fdLimit}`);
      continue;
    }
    const group = await lightGroup(bench, clients, start);
    try {
      await server.call('live', { atLeast: clients });
      const held = await server.call('memory', undefined);
      printRow(
        `  ${count(clients)} held`,
        `RSS ${mib(held.rss)}: ${kib((held.rss - base.rss) / clients)} per request   (target <= 25 KiB)`,
      );
      printRow(
        '      of which JS heap',
        `${mib(held.heapUsed)}: ${kib((held.heapUsed - base.heapUsed) / clients)} per request`,
      );
    } finally {
      await group.close();
      await server.call('live', { atMost: 0 });
    }
  }
}

async function officialFanOut(bench: Bench): Promise<void> {
  console.log('\nfan-out with the official @electric-sql/client ShapeStream (all streams in one process)');
  for (const clients of bench.settings.official) {
    const rounds = bench.settings.rounds(clients);
    const result = await fanOutLevel(
      hearthTarget(bench),
      await catchUp(bench, { table: 'bench_fanout' }),
      clients,
      async (start) => {
        const child = officialClients(bench);
        await child.call('open', {
          url: bench.shapeUrl,
          params: { table: 'bench_fanout', secret: bench.secret },
          count: clients,
          ...start,
        });
        return {
          round: (round: number) => child.call('round', { round }),
          mark: () => child.call('mark', undefined),
          load: () => child.call('load', undefined),
          close: async () => {
            await child.call('close', undefined);
            await stopChild(bench, child);
          },
        };
      },
      rounds,
    );
    printLatency(
      `  ${count(clients)} ShapeStream${clients > 1 ? 's' : ''} (${rounds} writes)`,
      result.latencies,
      '',
    );
    printLoads(result.loads, 'clients');
    printServerCost(result.loads.server, rounds, clients);
  }
}

// ---- ingest ----

async function ingest(bench: Bench): Promise<void> {
  const { server, pool, settings: s } = bench;
  const shapes = s.ingestShapes;
  console.log(
    `\ningest: ${count(s.ingestChanges)} inserts in transactions of ${count(s.ingestTxRows)} rows, ` +
      `${count(shapes)} shapes \`k = <const>\` each held live by a client`,
  );
  const created = monotonicMs();
  const starts: LightClient[] = new Array<LightClient>(shapes);
  let next = 0;
  // A few creations at a time, well under the engine's 64 pending creations.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < shapes) {
        const k = next++;
        const where = `k = ${k}`;
        starts[k] = { ...(await catchUp(bench, { table: 'bench_ingest', where })), where };
      }
    }),
  );
  const createMs = monotonicMs() - created;
  printRow(
    `  ${count(shapes)} shapes created (empty snapshot), 8 at a time`,
    `${ms(createMs)} (${Math.round(shapes / (createMs / 1000))} shapes/s)`,
  );

  const children = spread(bench, starts).map((part) => ({ child: lightClients(bench), part }));
  try {
    await Promise.all(
      children.map(({ child, part }) =>
        child.call('open', {
          url: bench.shapeUrl,
          params: { table: 'bench_ingest', secret: bench.secret },
          clients: part,
          marker: END_MARKER,
        }),
      ),
    );
    await server.call('live', { atLeast: shapes });
    // The ceiling's slot starts here, so it decodes exactly the workload below.
    await pool.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [CEILING_SLOT]);
    await Promise.all([
      server.call('mark', undefined),
      ...children.map(({ child }) => child.call('mark', undefined)),
    ]);
    const machine = new MachineMeter();

    const started = monotonicMs();
    let first = 0;
    // Four writers: the workload must outrun the engine, or the writer is what gets measured.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (first < s.ingestChanges) {
          const from = first;
          first = Math.min(s.ingestChanges, first + s.ingestTxRows);
          await pool.query(
            `insert into bench_ingest (id, k, v)
               select g, g % $3, 'change ' || g from generate_series($1::bigint, $2::bigint) g`,
            [from, first - 1, shapes],
          );
        }
      }),
    );
    // The last transaction gives every shape one more change, with the marker its client waits for.
    await pool.query(
      `insert into bench_ingest (id, k, v) select $1::bigint + g, g, $3 from generate_series(0, $2::int - 1) g`,
      [s.ingestChanges, shapes, END_MARKER],
    );
    const writtenMs = monotonicMs() - started;
    const done = await Promise.all(children.map(({ child }) => child.call('finished', undefined)));
    const deliveredMs = Math.max(...done.map((d) => d.last)) - started;
    const clientLoad = combine(await Promise.all(children.map(({ child }) => child.call('load', undefined))));
    const serverLoad = await server.call('load', undefined);
    const machinePercent = machine.read();

    const decodeStarted = monotonicMs();
    const decoded = await pool.query<{ inserts: string; messages: string }>(
      `select count(*) filter (where get_byte(data, 0) = 73) as inserts, count(*) as messages
         from pg_logical_slot_get_binary_changes($1, null, null,
              'proto_version', '1', 'publication_names', $2)`,
      [CEILING_SLOT, PUBLICATION],
    );
    const decodeMs = monotonicMs() - decodeStarted;

    const changes = s.ingestChanges + shapes;
    const rate = changes / (deliveredMs / 1000);
    const inserts = Number(decoded.rows[0]?.inserts ?? 0);
    const ceiling = inserts / (decodeMs / 1000);
    printRow(
      '  written (4 connections)',
      `${ms(writtenMs)} (${count(Math.round(changes / (writtenMs / 1000)))} changes/s)`,
    );
    printRow(
      '  write -> every shape delivered its last change',
      `${ms(deliveredMs)}: ${count(Math.round(rate))} changes/s   (target >= 20,000)`,
    );
    printLoads({ clients: clientLoad, server: serverLoad, machinePercent }, 'clients');
    printRow('      server CPU per change', `${((serverLoad.cpuMs * 1000) / changes).toFixed(1)} µs`);
    printRow(
      '  ceiling: pgoutput decoding of the same WAL, in SQL',
      `${count(inserts)} inserts (${count(Number(decoded.rows[0]?.messages ?? 0))} messages) in ${ms(decodeMs)}: ` +
        `${count(Math.round(ceiling))} changes/s`,
    );
    printRow('  engine / ceiling', `${((rate / ceiling) * 100).toFixed(1)}%`);
  } finally {
    await pool.query(
      `select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1`,
      [CEILING_SLOT],
    );
    for (const { child } of children) {
      await child.call('close', undefined);
      await stopChild(bench, child);
    }
    await server.call('live', { atMost: 0 });
  }
}

// ---- initial sync ----

const ROW_COLUMNS =
  'id int primary key, title text not null, n int not null, done bool not null, created_at timestamptz not null';

async function initialSync(bench: Bench): Promise<void> {
  const { server, pool, settings: s } = bench;
  await pool.query(
    `insert into bench_rows
       select g, 'row title ' || g, g % 1000, g % 2 = 0, timestamptz '2025-01-01' + g * interval '1 second'
         from generate_series(1, $1::int) g`,
    [s.rows],
  );
  await pool.query('analyze bench_rows');
  console.log(
    `\ninitial sync of ${count(s.rows)} rows (5 columns, ~${await rowBytes(pool)} bytes of JSON a row)`,
  );
  const child = officialClients(bench);
  try {
    const params = { table: 'bench_rows', secret: bench.secret };
    const measure = async <T extends { ms: number; rows: number }>(
      label: string,
      work: () => Promise<T>,
      target = '',
    ): Promise<T> => {
      await Promise.all([server.call('mark', undefined), child.call('mark', undefined)]);
      const machine = new MachineMeter();
      const result = await work();
      const clients = await child.call('load', undefined);
      const serverLoad = await server.call('load', undefined);
      printRow(
        `  ${label}`,
        `${ms(result.ms)}: ${count(Math.round(result.rows / (result.ms / 1000)))} rows/s` +
          (result.rows === s.rows ? '' : ` (got ${count(result.rows)} rows!)`) +
          (target ? `   (target ${target})` : ''),
      );
      printLoads({ clients, server: serverLoad, machinePercent: machine.read() }, 'client');
      return result;
    };
    await measure('ShapeStream, cold (the request creates the shape)', () =>
      child.call('initialSync', { url: bench.shapeUrl, params }),
    );
    await measure('ShapeStream, warm (shape log on disk)', () =>
      child.call('initialSync', { url: bench.shapeUrl, params }),
    );
    let table = 0;
    const intoPglite = (method: 'insert' | 'csv' | 'json', where?: string) =>
      child.call('pgliteSync', {
        url: bench.shapeUrl,
        params: where === undefined ? params : { ...params, where },
        table: `rows_${++table}`,
        columnsSql: ROW_COLUMNS,
        method,
      });
    // PGlite opens once (seconds in Node), outside the measurements.
    const opened = await child.call('pgliteSync', {
      url: bench.shapeUrl,
      params: { ...params, where: 'id < 0' },
      table: 'warm_up',
      columnsSql: ROW_COLUMNS,
      method: 'insert',
    });
    printRow('  (PGlite 0.5.16 open in Node, not counted)', ms(opened.openMs));
    const target = `<= 3 s for 100,000 rows`;
    await measure(
      'PGlite syncShapeToTable, cold, insert (default)',
      () => intoPglite('insert', 'id > 0'),
      target,
    );
    for (const method of ['insert', 'json', 'csv'] as const) {
      await measure(`PGlite syncShapeToTable, warm, ${method}`, () => intoPglite(method), target);
    }
  } finally {
    await child.call('close', undefined);
    await stopChild(bench, child);
  }
}

async function rowBytes(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(
    `select round(avg(octet_length(row_to_json(r)::text)))::int as bytes from (select * from bench_rows limit 1000) r`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

// ---- the run ----

function fdLimit(): number {
  const text = execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? 1_048_576 : Number(text);
}

export async function run(): Promise<void> {
  const s = settings();
  const limit = fdLimit();
  console.log(
    `sync: Hearth server (startHearth, embedded Postgres 18, disk shape store) in its own process; ` +
      `${os.cpus().length} cores, open files per process ${count(limit)} (hard limit: not raisable here)`,
  );
  // Other work on this machine shows in every figure: say how busy it was before we started.
  const background = new MachineMeter();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  console.log(`  machine busy before the bench started (1 s sample): ${Math.round(background.read())}%`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-sync-'));
  // Embedded Postgres runs as the `postgres` user when we are root: it must reach the folder.
  chmodSync(dataDir, 0o755);
  const server = new Child<ServerApi>('bench server', new URL('./sync/server.ts', import.meta.url), {
    // e.g. SYNC_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the server.
    // --max-semi-space-size=32 as `pnpm start` sets it, so the bench measures the server as it runs.
    execArgv: [
      '--expose-gc',
      '--max-semi-space-size=32',
      ...(process.env.SYNC_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
  });
  const children = new Set<Child<LightClientsApi> | Child<OfficialClientsApi>>();
  let pool: pg.Pool | undefined;
  try {
    const info = await server.call('start', { dataDir });
    pool = new pg.Pool({ connectionString: info.databaseUrl, max: 5 });
    await pool.query(`
      create table bench_fanout (id int primary key, payload text not null);
      create table bench_ingest (id bigint primary key, k int not null, v text not null);
      create table bench_rows (${ROW_COLUMNS});
    `);
    const bench: Bench = {
      settings: s,
      server,
      pool,
      shapeUrl: `${info.url}/v1/shape`,
      secret: info.shapeSecret,
      fdLimit: limit,
      children,
    };
    console.log(
      `  long-poll timeout ${info.longPollMs / 1000} s; clock: CLOCK_MONOTONIC, shared by all processes`,
    );
    if (s.parts.has('memory')) await memory(bench);
    if (s.parts.has('fanout')) await fanOut(bench);
    if (s.parts.has('official')) await officialFanOut(bench);
    if (s.parts.has('ingest')) await ingest(bench);
    if (s.parts.has('initial')) await initialSync(bench);
  } finally {
    for (const child of children) await child.stop();
    await pool?.end();
    await server.call('stop', undefined).catch(() => undefined);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
