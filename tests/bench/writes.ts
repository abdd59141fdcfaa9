// `pnpm bench writes`: mutations/s through the real POST /api/mutations (validated, authorized, applied,
// receipt committed) of a real Hearth (embedded Postgres, temp DATA_DIR), 50 concurrent clients, one
// user and session each. Prints per-request latency and throughput; asserts nothing.
// Not measured here: POST to the receipt arriving in another client's replica (needs the sync engine).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { newId } from '@hearth/schema/ids';
import { parseConfig, REPO_ROOT } from '@hearth/sync-server/config';
import { startHearth, type Hearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { SESSION_COOKIE } from '@hearth/sync-server/auth/session-logic';
import { MUTATIONS_PATH } from '@hearth/sync-server/writes/routes';
import { createTestUser, type TestUser } from '@hearth/sync-server/writes/test-support/sessions';
import { formatMs, median, percentile, printRow } from './stats';

const CLIENTS = 50;
const WARMUP_REQUESTS = 5;

interface Scenario {
  label: string;
  batchSize: number;
  requestsPerClient: number;
}

const SCENARIOS: readonly Scenario[] = [
  { label: '1 mutation per request', batchSize: 1, requestsPerClient: 60 },
  { label: '10 mutations per request', batchSize: 10, requestsPerClient: 20 },
];

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

async function postBatch(url: string, user: TestUser, mutations: unknown[]): Promise<string[]> {
  const response = await fetch(url, {
    method: 'POST',
    // The real session cookie and the Origin check, as a browser sends them.
    headers: {
      'content-type': 'application/json',
      cookie: `${SESSION_COOKIE}=${user.token}`,
      origin: new URL(url).origin,
    },
    body: JSON.stringify({ mutations }),
  });
  const body = (await response.json()) as { outcomes?: { status: string }[] };
  if (response.status !== 200 || !body.outcomes)
    throw new Error(`HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body.outcomes.map((outcome) => outcome.status);
}

async function runScenario(url: string, users: readonly TestUser[], communityId: string, scenario: Scenario) {
  const latencies: number[] = [];
  const statuses = new Map<string, number>();
  const client = async (user: TestUser) => {
    const counter = { n: 0 };
    for (let i = 0; i < WARMUP_REQUESTS; i++)
      await postBatch(url, user, nextBatch(communityId, scenario.batchSize, counter));
    await ready;
    for (let i = 0; i < scenario.requestsPerClient; i++) {
      const batch = nextBatch(communityId, scenario.batchSize, counter);
      const started = performance.now();
      const outcomes = await postBatch(url, user, batch);
      latencies.push(performance.now() - started);
      for (const status of outcomes) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  let start!: () => void;
  const ready = new Promise<void>((resolve) => (start = resolve));
  const clients = Promise.all(users.map(client));
  // Warm-up requests finish at different times; measure from when the last client is warm.
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
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-writes-'));
  // Embedded Postgres runs as the `postgres` user when we are root: it must reach the folder.
  chmodSync(dataDir, 0o755);
  const parsed = parseConfig(
    { DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false' },
    { repoRoot: REPO_ROOT, cwd: REPO_ROOT },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));

  let hearth: Hearth | undefined;
  try {
    hearth = await startHearth(parsed.config, { log: silentLogger() });
    const users = await Promise.all(Array.from({ length: CLIENTS }, () => createTestUser(hearth!.pool)));
    const communityId = newId();
    await hearth.pool.query(
      `insert into communities (id, slug, name, created_by) values ($1, 'bench', 'Bench', $2)`,
      [communityId, users[0]?.id],
    );
    console.log('writes: POST /api/mutations -> validate, authorize, apply, receipt (one transaction each)');
    for (const scenario of SCENARIOS)
      await runScenario(`${hearth.url}${MUTATIONS_PATH}`, users, communityId, scenario);
    console.log("  (POST -> receipt in another client's replica: not measured until the sync engine lands)");
  } finally {
    await hearth?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
