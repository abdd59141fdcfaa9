// `pnpm bench collab`: the collab rooms of a real Hearth (embedded Postgres, temp DATA_DIR), driven by
// real y-websocket clients, and in the SAME run the stock `@y/websocket-server` 0.1.1 relay on the
// same workload, so the ratio shows. Prints figures; asserts nothing. Clients run in this process
// too (for both servers alike), so latencies include client-side Yjs work.
// Targets (issue 6): relay p50 <= 5 ms, p99 <= 30 ms with 50 rooms active; a 10,000-update draft
// loads in <= 100 ms after compaction; ratio to stock <= 1.2.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { setupWSConnection, getYDoc, docs } from '@y/websocket-server/utils';
import { CollabClose } from '@hearth/schema/drafts/collab-wire';
import { draftContent } from '@hearth/schema/drafts/document';
import { parseConfig, REPO_ROOT } from '@hearth/sync-server/config';
import { startHearth, type Hearth } from '@hearth/sync-server/hearth';
import { silentLogger } from '@hearth/sync-server/log';
import { collabConfig } from '@hearth/sync-server/collab/config';
import { PostgresRoomStore } from '@hearth/sync-server/collab/pg-store';
import { RoomRegistry } from '@hearth/sync-server/collab/rooms';
import type { Peer } from '@hearth/sync-server/collab/room';
import { collabClient, type CollabClient } from '@hearth/sync-server/collab/test-support/clients';
import { addAuthor, addDraft, type Author } from '@hearth/sync-server/collab/test-support/harness';
import { formatMs, median, percentile, printRow } from './stats';

const ROOMS = 50;
const ROUNDS = 60;
/** Each room's writer types this often: 50 rooms -> 500 edits/s through the server. */
const EDIT_INTERVAL_MS = 100;
const WARMUP_ROUNDS = 5;
const STORED_UPDATES = 10_000;
const LOAD_RUNS = 5;
const IDLE_ROOMS = 200;

v8.setFlagsFromString('--expose-gc');
// y-websocket adds a process 'exit' listener per provider in Node.
process.setMaxListeners(0);
const gc = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

interface Pair {
  a: CollabClient;
  b: CollabClient;
}

/**
 * Every room active at once: A types a marker every EDIT_INTERVAL_MS (rooms out of phase), B sees it;
 * the time from typing to B's document holding it is one sample.
 */
async function relayLatency(pairs: readonly Pair[]): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    pairs.map(async ({ a, b }, room) => {
      await pause((room * EDIT_INTERVAL_MS) / pairs.length);
      for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        const due = performance.now() + EDIT_INTERVAL_MS;
        const marker = `r${room}x${round};`;
        const seen = b.until((text) => text.includes(marker));
        const started = performance.now();
        a.type(marker);
        await seen;
        if (round >= WARMUP_ROUNDS) samples.push(performance.now() - started);
        await pause(due - performance.now());
      }
    }),
  );
  return samples;
}

/** Paces the benchmark's workload (never used to wait for a result). */
function pause(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

async function connectPairs(make: (room: number) => Pair): Promise<Pair[]> {
  const pairs = Array.from({ length: ROOMS }, (_, room) => make(room));
  await Promise.all(pairs.flatMap(({ a, b }) => [a.synced, b.synced]));
  return pairs;
}

function destroyPairs(pairs: readonly Pair[]): void {
  for (const { a, b } of pairs) {
    a.destroy();
    b.destroy();
  }
}

/** The stock relay: y-websocket-server's setupWSConnection on a plain HTTP server, no auth, no store. */
async function startStock(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket, request) => {
    setupWSConnection(socket, request, { docName: (request.url ?? '').split('/').pop() ?? '' });
  });
  server.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A draft whose log holds `count` single-keystroke updates. */
async function draftWithUpdates(hearth: Hearth, owner: Author, count: number): Promise<string> {
  const draftId = await addDraft(hearth.pool, owner);
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  paragraph.insert(0, [text]);
  draftContent(doc).insert(0, [paragraph]);
  for (let i = updates.length; i < count; i++) {
    if (i % 10 === 9) text.delete(text.length - 1, 1);
    else text.insert(text.length, String.fromCharCode(97 + (i % 26)));
  }
  const store = new PostgresRoomStore(hearth.pool);
  for (let i = 0; i < updates.length; i += 1000)
    await store.append(
      draftId,
      updates.slice(i, i + 1000).map((update) => ({ update, authorId: owner.id })),
    );
  return draftId;
}

/** Store read + the document built, as a room loads it (Room.load). */
async function timeLoads(hearth: Hearth, draftId: string): Promise<number[]> {
  const store = new PostgresRoomStore(hearth.pool);
  const times: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const started = performance.now();
    const loaded = await store.load(draftId);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, loaded.state);
    times.push(performance.now() - started);
    doc.destroy();
  }
  return times;
}

const idlePeer = (userId: string): Peer => ({
  userId,
  displayName: 'Idle',
  closed: false,
  send: () => undefined,
  close: () => undefined,
});

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-bench-collab-'));
  chmodSync(dataDir, 0o755);
  const parsed = parseConfig(
    { DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false' },
    { repoRoot: REPO_ROOT, cwd: REPO_ROOT },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const hearth = await startHearth(parsed.config, { log: silentLogger() });
  const stock = await startStock();
  try {
    const owner = await addAuthor(hearth.pool, 'Owner');
    const coauthor = await addAuthor(hearth.pool, 'Co');

    // 1. Relay latency, 50 rooms, Hearth then stock.
    const drafts = await Promise.all(
      Array.from({ length: ROOMS }, () => addDraft(hearth.pool, owner, [coauthor])),
    );
    const hearthPairs = await connectPairs((room) => ({
      a: collabClient(hearth.url, drafts[room]!, { cookie: owner.cookie }),
      b: collabClient(hearth.url, drafts[room]!, { cookie: coauthor.cookie }),
    }));
    const hearthLatency = await relayLatency(hearthPairs);
    destroyPairs(hearthPairs);

    const stockPairs = await connectPairs((room) => ({
      a: collabClient(stock.url, `bench-${room}`, {}),
      b: collabClient(stock.url, `bench-${room}`, {}),
    }));
    const stockLatency = await relayLatency(stockPairs);
    destroyPairs(stockPairs);

    console.log(
      `relay latency, ${ROOMS} rooms active at once, an edit every ${EDIT_INTERVAL_MS} ms in each (A types, B sees it)`,
    );
    const p50 = median(hearthLatency);
    const p99 = percentile(hearthLatency, 99);
    const stockP50 = median(stockLatency);
    const stockP99 = percentile(stockLatency, 99);
    printRow('Hearth rooms p50 / p99 (target 5 / 30 ms)', `${formatMs(p50)} / ${formatMs(p99)}`);
    printRow('stock @y/websocket-server 0.1.1 p50 / p99', `${formatMs(stockP50)} / ${formatMs(stockP99)}`);
    printRow(
      'ratio Hearth / stock, p50 / p99 (target <= 1.2)',
      `${(p50 / stockP50).toFixed(2)} / ${(p99 / stockP99).toFixed(2)}`,
    );

    // 2. Load time of a draft with 10,000 stored updates, before and after compaction.
    const heavy = await draftWithUpdates(hearth, owner, STORED_UPDATES);
    const before = await timeLoads(hearth, heavy);
    const compactStarted = performance.now();
    const compaction = await new PostgresRoomStore(hearth.pool).compact(heavy);
    const compactMs = performance.now() - compactStarted;
    const after = await timeLoads(hearth, heavy);
    const joinStarted = performance.now();
    const joiner = collabClient(hearth.url, heavy, { cookie: owner.cookie });
    await joiner.synced;
    const joinMs = performance.now() - joinStarted;
    joiner.destroy();
    console.log(
      `a draft with ${STORED_UPDATES.toLocaleString('en')} stored updates (median of ${LOAD_RUNS} loads)`,
    );
    printRow('load before compaction', formatMs(median(before)));
    printRow(
      `compaction (${compaction.folded} updates -> ${compaction.snapshotBytes} B)`,
      formatMs(compactMs),
    );
    printRow('load after compaction (target <= 100 ms)', formatMs(median(after)));
    printRow('client connect -> synced after compaction', formatMs(joinMs));

    // 3. Server memory per idle open room: the room (doc, awareness, registry entry) with one peer.
    const registry = new RoomRegistry({
      store: new PostgresRoomStore(hearth.pool),
      config: collabConfig(),
      log: silentLogger(),
    });
    const idleDrafts = await Promise.all(
      Array.from({ length: IDLE_ROOMS }, () => addDraft(hearth.pool, owner)),
    );
    const heapBefore = heapAfterGc();
    for (const draftId of idleDrafts) await registry.enter(draftId, idlePeer(owner.id));
    const perRoom = (heapAfterGc() - heapBefore) / IDLE_ROOMS;
    await registry.stop(CollabClose.serverStopping);

    const stockBefore = heapAfterGc();
    for (let i = 0; i < IDLE_ROOMS; i++) getYDoc(`idle-${i}`);
    const stockPerRoom = (heapAfterGc() - stockBefore) / IDLE_ROOMS;
    for (const doc of docs.values()) doc.destroy();
    docs.clear();
    console.log(`memory per idle open room (${IDLE_ROOMS} rooms, heap after GC; sockets not counted)`);
    printRow('Hearth room', `${(perRoom / 1024).toFixed(1)} KiB`);
    printRow('stock WSSharedDoc', `${(stockPerRoom / 1024).toFixed(1)} KiB`);
  } finally {
    await stock.stop();
    await hearth.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
