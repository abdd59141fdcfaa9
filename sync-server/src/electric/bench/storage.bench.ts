// Shape log storage figures (SPEC.md SE42, SE44, SE47): appends/s with 1,000 shapes receiving small
// transactions (pipelined, as the replication handler should run it, and one at a time), a
// transaction touching all 1,000 shapes, chunk read latency cold and cached, open time and memory.
// Run: pnpm exec tsx sync-server/src/electric/bench/storage.bench.ts   (figures printed, not asserted)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BEFORE_ALL, type LogOffset } from '../offset';
import { DiskShapeLogStore } from '../storage/disk-store';
import type { NewShape, StoredEntry } from '../storage/store';

const SHAPES = 1_000;
const TRANSACTIONS = 20_000;

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hearth-storage-bench-'));
const shape = (i: number): NewShape => ({
  handle: `${1000 + i}-1`,
  definitionKey: `items where n = ${i}`,
  definitionHash: String(1000 + i),
  definition: JSON.stringify({ table: 'items', where: `n = ${i}` }),
  schemaHeader: '{"id":{"type":"int8","pk_index":0},"n":{"type":"int4"},"title":{"type":"text"}}',
  createdAt: 0,
});
const change = (lsn: bigint, op: number, n: number): StoredEntry => ({
  offset: { tx: lsn, op },
  json: JSON.stringify({
    headers: {
      operation: 'insert',
      relation: ['public', 'items'],
      lsn: String(lsn),
      op_position: op,
      txids: [1],
    },
    key: `"public"."items"/"${lsn}_${op}"`,
    value: { id: `${lsn}${op}`, n: String(n), title: `title of ${lsn} ${op}` },
  }),
});
const rate = (count: number, ms: number): string => Math.round(count / (ms / 1000)).toLocaleString('en');
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

try {
  const store = await DiskShapeLogStore.open({ dataDir, chunkBytes: 10 * 1024 * 1024 });
  let t = performance.now();
  for (let i = 0; i < SHAPES; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, SHAPES - i) }, (_, k) => store.create(shape(i + k))));
  }
  console.log(
    `create ${SHAPES} shapes (50 at a time)          ${rate(SHAPES, performance.now() - t).padStart(9)} shapes/s`,
  );

  // Pipelined: every transaction goes to one shape (1-3 changes); the handler does not await each.
  let lsn = 1n;
  let entries = 0;
  t = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < TRANSACTIONS; i++, lsn++) {
    const count = 1 + (i % 3);
    entries += count;
    pending.push(
      store.appendTransaction(
        shape(i % SHAPES).handle,
        lsn,
        Array.from({ length: count }, (_, k) => change(lsn, k * 2, i % SHAPES)),
      ).durable,
    );
    if (pending.length >= 2_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const ms = performance.now() - t;
  console.log(
    `appends, ${SHAPES} shapes, pipelined          ${rate(TRANSACTIONS, ms).padStart(9)} transactions/s  ${rate(entries, ms).padStart(9)} entries/s`,
  );

  // One at a time: each append awaited before the next (latency-bound: one journal fsync each).
  const serial = 500;
  const latencies: number[] = [];
  for (let i = 0; i < serial; i++, lsn++) {
    const start = performance.now();
    await store.appendTransaction(shape(i % SHAPES).handle, lsn, [change(lsn, 0, i)]).durable;
    latencies.push(performance.now() - start);
  }
  console.log(
    `appends, awaited one by one                  ${rate(
      serial,
      latencies.reduce((a, b) => a + b, 0),
    ).padStart(
      9,
    )} transactions/s  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );

  // One transaction touching every shape: time until all of them are durable (the slot can ack).
  const wide: number[] = [];
  for (let round = 0; round < 20; round++, lsn++) {
    const start = performance.now();
    await Promise.all(
      Array.from(
        { length: SHAPES },
        (_, i) => store.appendTransaction(shape(i).handle, lsn, [change(lsn, 0, i)]).durable,
      ),
    );
    wide.push(performance.now() - start);
  }
  console.log(
    `one transaction into all ${SHAPES} shapes, durable   p50 ${percentile(wide, 50).toFixed(1)} ms  p99 ${percentile(wide, 99).toFixed(1)} ms`,
  );

  // Chunk reads: a 1 MiB chunk (~7,000 entries) from disk and from the cache; a live tail read.
  await store.close();
  const reader = await DiskShapeLogStore.open({ dataDir, chunkBytes: 1024 * 1024, cacheBytes: 1 });
  const big = 'big-1';
  await reader.create({ ...shape(9999), handle: big });
  const rows: StoredEntry[] = Array.from({ length: 20_000 }, (_, i) => ({
    ...change(1n, i, i),
    offset: { tx: 0n, op: i },
  }));
  for (let i = 0; i < rows.length; i += 1_000) await reader.appendSnapshot(big, rows.slice(i, i + 1_000));
  await reader.close();
  for (const [label, cacheBytes] of [
    ['cold (cache off)', 1],
    ['cached', 64 * 1024 * 1024],
  ] as const) {
    const s = await DiskShapeLogStore.open({ dataDir, chunkBytes: 1024 * 1024, cacheBytes });
    const times: number[] = [];
    let got = 0;
    for (let i = 0; i < 50; i++) {
      const start = performance.now();
      got = (await s.read(big, BEFORE_ALL)).entries.length;
      times.push(performance.now() - start);
    }
    console.log(
      `read a 1 MiB chunk (${got} entries), ${label.padEnd(16)} p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms`,
    );
    if (label === 'cached') {
      const tail: number[] = [];
      let since: LogOffset = s.info(big)?.tail ?? BEFORE_ALL;
      for (let i = 0; i < 500; i++, lsn++) {
        await s.appendTransaction(big, lsn, [change(lsn, 0, i)]).durable;
        const start = performance.now();
        const r = await s.read(big, since);
        tail.push(performance.now() - start);
        since = r.lastOffset;
      }
      console.log(
        `read the new tail after a commit (live)      p50 ${percentile(tail, 50).toFixed(3)} ms  p99 ${percentile(tail, 99).toFixed(3)} ms`,
      );
    }
    await s.close();
  }

  // Open: 1,001 shapes with their logs; then 10,000 shapes, heap for their indexes.
  t = performance.now();
  const reopened = await DiskShapeLogStore.open({ dataDir, chunkBytes: 10 * 1024 * 1024 });
  console.log(
    `open with ${reopened.list().length} shapes                      ${(performance.now() - t).toFixed(0).padStart(6)} ms`,
  );
  for (let i = SHAPES; i < 10_000; i += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, k) => reopened.create(shape(i + k))));
  }
  for (let i = 0; i < 10_000; i += 1_000, lsn++) {
    const commit = lsn;
    const shapes = Array.from({ length: 1_000 }, (_, k) => shape(i + k).handle);
    await Promise.all(
      shapes.map((h, k) => reopened.appendTransaction(h, commit, [change(commit, 0, i + k)]).durable),
    );
  }
  await reopened.close();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  const large = await DiskShapeLogStore.open({ dataDir, chunkBytes: 10 * 1024 * 1024 });
  const openMs = performance.now() - t;
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - heapBefore;
  console.log(
    `open with ${large.list().length} shapes                     ${openMs.toFixed(0).padStart(6)} ms  heap +${mib(heap)} (${Math.round(heap / large.list().length)} B/shape${global.gc ? '' : ', run with --expose-gc for exact figures'})`,
  );
  await large.close();
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}
