// The shape log contract and the disk-only rules (SPEC.md SE39–SE47) against the disk store.
// Unit tier with file IO: each test gets a fresh folder under the OS temp dir, removed in afterEach,
// and nothing here waits on time or a network; the files are the real part under test.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEFORE_ALL } from '../offset';
import {
  decodeIndexRecords,
  decodeJournal,
  encodeIndexRecords,
  encodeJournalRecord,
  encodeLines,
  type JournalItem,
} from './codec';
import { DiskShapeLogStore, type DiskStoreOptions } from './disk-store';
import { planSegments, type SegmentRecord } from './shape-index';
import { newShape, readAll, shapeLogStoreContract, transaction } from './store-contract';
import type { ShapeLogStore } from './store';

const CHUNK_BYTES = 1000;

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'hearth-shapes-'));
}

shapeLogStoreContract('disk', () => {
  let dir: string | undefined;
  const opened: ShapeLogStore[] = [];
  return {
    async open(options) {
      dir ??= await tempDir();
      const store = await DiskShapeLogStore.open({ ...options, dataDir: dir });
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    },
  };
});

describe('disk shape log store', () => {
  let dataDir: string;
  const stores: DiskShapeLogStore[] = [];
  const open = async (options: Partial<DiskStoreOptions> = {}): Promise<DiskShapeLogStore> => {
    const store = await DiskShapeLogStore.open({ chunkBytes: CHUNK_BYTES, dataDir, ...options });
    stores.push(store);
    return store;
  };
  const shapesDir = (): string => path.join(dataDir, 'shapes');

  beforeEach(async () => {
    dataDir = await tempDir();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** A log of snapshot + transactions across several chunks, and what every read answers. */
  async function fill(store: ShapeLogStore): Promise<void> {
    await store.create(newShape('h-1', 5));
    await store.setSnapshot('h-1', { xmin: 7n, xmax: 9n, xip: [8n] });
    await store.appendSnapshot(
      'h-1',
      transaction(0n, 6, 's', 150).map((e, i) => ({ ...e, offset: { tx: 0n, op: i } })),
    );
    await store.completeSnapshot('h-1');
    for (let lsn = 100n; lsn < 120n; lsn++)
      await store.appendTransaction('h-1', lsn, transaction(lsn, 3, 't', 90)).durable;
    await store.create(newShape('h-2', 6));
  }

  it('[SE32] shapes survive a restart: metadata, entries, chunk boundaries and access times', async () => {
    let clock = 50;
    const first = await open({ now: () => clock });
    await fill(first);
    clock = 60;
    await first.read('h-2', BEFORE_ALL);
    const pages = await Promise.all(
      [BEFORE_ALL, { tx: 0n, op: 3 }, { tx: 105n, op: 2 }, { tx: 119n, op: 4 }].map((o) =>
        first.read('h-1', o),
      ),
    );
    const all = await readAll(first, 'h-1');
    const infos = first.list().sort((a, b) => a.handle.localeCompare(b.handle));
    await first.close();

    const second = await open();
    expect(second.recovery).toEqual({
      journalRecordsReplayed: 0,
      tornJournalBytes: 0,
      repairedShapes: [],
      removedIncomplete: [],
    });
    expect(second.list().sort((a, b) => a.handle.localeCompare(b.handle))).toEqual(infos);
    expect(second.info('h-2')?.lastAccess).toBe(60);
    for (const [i, o] of [
      BEFORE_ALL,
      { tx: 0n, op: 3 },
      { tx: 105n, op: 2 },
      { tx: 119n, op: 4 },
    ].entries()) {
      expect(await second.read('h-1', o)).toEqual(pages[i]);
    }
    expect(await readAll(second, 'h-1')).toEqual(all);
    await second.appendTransaction('h-1', 200n, transaction(200n, 1)).durable;
    expect((await second.read('h-1', { tx: 119n, op: 4 })).entries.at(-1)).toBe(
      transaction(200n, 1)[0]?.json,
    );
  });

  it('[SE44] open rebuilds each shape from its index file without reading its log', async () => {
    const first = await open();
    await fill(first);
    const tail = first.info('h-1')?.tail;
    await first.close();
    // Overwrite the log's bytes (same length): open must not notice, the first read of them does.
    const log = path.join(shapesDir(), 'h-1', 'log');
    const size = (await fs.stat(log)).size;
    await fs.writeFile(log, Buffer.alloc(size, 0x58));
    const second = await open();
    expect(second.info('h-1')?.tail).toEqual(tail);
    await expect(second.read('h-1', BEFORE_ALL)).rejects.toMatchObject({ reason: 'corrupt' });
  });

  it('[SE42] appends made together are one journal record: one write and one fsync for all shapes', async () => {
    const store = await open();
    const handles = Array.from({ length: 20 }, (_, i) => `s-${i}`);
    for (const h of handles) await store.create(newShape(h));
    await Promise.all(handles.map((h) => store.appendTransaction(h, 9n, transaction(9n, 2)).durable));
    const journals = (await fs.readdir(shapesDir())).filter((n) => n.startsWith('journal.'));
    expect(journals).toHaveLength(1);
    const { records } = decodeJournal(await fs.readFile(path.join(shapesDir(), journals[0] as string)));
    expect(records).toHaveLength(1);
    expect(records[0]?.map((item) => item.handle)).toEqual(handles);
  });

  it('[SE42] shape files are written behind: after the delay, or at once for a read that needs them', async () => {
    // A delay no test outlasts: only a read past the written bytes, or close, writes the files.
    const store = await open({ writeBehindDelayMs: 3_600_000, cacheBytes: 1 });
    await store.create(newShape('h-1'));
    for (let lsn = 1n; lsn <= 5n; lsn++)
      await store.appendTransaction('h-1', lsn, transaction(lsn, 2)).durable;
    const logFile = path.join(shapesDir(), 'h-1', 'log');
    expect((await fs.stat(logFile)).size).toBe(0);
    const all = await readAll(store, 'h-1');
    expect(all).toHaveLength(10);
    expect((await fs.stat(logFile)).size).toBeGreaterThan(0);
    await store.appendTransaction('h-1', 6n, transaction(6n, 2)).durable;
    await store.close();
    const reopened = await open({ cacheBytes: 1 });
    const again = await readAll(reopened, 'h-1');
    expect(again.slice(0, 10)).toEqual(all);
    expect(again).toHaveLength(12);
  });

  it('[SE42] a read of entries shown but not yet durable (not in the cache) waits for the journal, then reads the files', async () => {
    const store = await open({ cacheBytes: 1 });
    await store.create(newShape('h-1'));
    const appended = store.appendTransaction('h-1', 3n, transaction(3n, 4));
    await appended.visible;
    let durable = false;
    void appended.durable.then(() => (durable = true));
    expect(durable).toBe(false);
    expect(store.readCached('h-1', BEFORE_ALL)).toBeUndefined();
    expect((await store.read('h-1', BEFORE_ALL)).entries).toEqual(transaction(3n, 4).map((e) => e.json));
    expect(durable).toBe(true);
  });

  it('[SE43] a torn journal record is cut on open: that commit is gone, earlier ones stay whole', async () => {
    const first = await open();
    await fill(first);
    const before = await readAll(first, 'h-1');
    await first.close();
    // Simulate a crash: commit 300 was journaled (its shape files never written), 301 torn mid-write.
    const end = (await fs.stat(path.join(shapesDir(), 'h-1', 'log'))).size;
    const indexEnd = (await fs.stat(path.join(shapesDir(), 'h-1', 'index'))).size;
    const open1 = await openChunkBytes(path.join(shapesDir(), 'h-1', 'index'));
    const whole = journalItem('h-1', 300n, end, indexEnd, open1);
    const torn = journalItem('h-1', 301n, end + whole.logBytes.length, indexEnd + whole.indexBytes.length, 0);
    const tornRecord = encodeJournalRecord([torn, journalItem('h-2', 301n, 0, 0, 0)]);
    await fs.writeFile(
      path.join(shapesDir(), 'journal.7'),
      Buffer.concat([encodeJournalRecord([whole]), tornRecord.subarray(0, tornRecord.length - 9)]),
    );
    // …and the shape files got half a line and a partial index record of commit 301.
    await fs.appendFile(path.join(shapesDir(), 'h-2', 'log'), '301_0 {"half');
    await fs.appendFile(path.join(shapesDir(), 'h-2', 'index'), Buffer.alloc(17, 1));

    const second = await open();
    expect(second.recovery.journalRecordsReplayed).toBe(1);
    expect(second.recovery.tornJournalBytes).toBe(tornRecord.length - 9);
    expect(second.recovery.repairedShapes).toEqual(['h-2']);
    expect(await readAll(second, 'h-1')).toEqual([...before, ...transaction(300n, 2).map((e) => e.json)]);
    expect(second.info('h-1')?.lastLsn).toBe(300n);
    expect(await readAll(second, 'h-2')).toEqual([]);
    expect((await fs.readdir(shapesDir())).filter((n) => n.startsWith('journal.'))).toEqual(['journal.8']);
    await second.appendTransaction('h-2', 301n, transaction(301n, 1)).durable;
    expect(await readAll(second, 'h-2')).toEqual(transaction(301n, 1).map((e) => e.json));
  });

  it('[SE43] a create cut off before its metadata was written leaves nothing behind', async () => {
    await fs.mkdir(path.join(shapesDir(), 'half-1'), { recursive: true });
    await fs.writeFile(path.join(shapesDir(), 'half-1', 'log'), '');
    const store = await open();
    expect(store.recovery.removedIncomplete).toEqual(['half-1']);
    expect(store.list()).toEqual([]);
    await store.create(newShape('half-2'));
    expect(store.list().map((s) => s.handle)).toEqual(['half-2']);
  });

  it('[SE42] a full journal is checkpointed: shape files are fsynced, the old journal removed', async () => {
    const store = await open({ journalMaxBytes: 2_000 });
    await store.create(newShape('h-1'));
    for (let lsn = 1n; lsn <= 40n; lsn++)
      await store.appendTransaction('h-1', lsn, transaction(lsn, 2, 't', 100)).durable;
    await store.flush();
    const all = await readAll(store, 'h-1');
    await store.close();
    const reopened = await open({ cacheBytes: 1 });
    expect(await readAll(reopened, 'h-1')).toEqual(all);
    expect(all).toHaveLength(80);
  });

  it('[SE47] reads from disk equal reads from the cache, whatever is evicted', async () => {
    const cached = await open();
    await fill(cached);
    const expected = await readAll(cached, 'h-1');
    await cached.close();
    const uncached = await open({ cacheBytes: 1, maxOpenShapes: 1 });
    expect(await readAll(uncached, 'h-1')).toEqual(expected);
    expect(await readAll(uncached, 'h-2')).toEqual([]);
    expect(await readAll(uncached, 'h-1')).toEqual(expected);
  });

  it('[SE46] a deleted or evicted shape stays gone after a restart', async () => {
    const first = await open({ maxShapes: 1 });
    await fill(first);
    await first.read('h-1', BEFORE_ALL);
    const eviction = first.evictIdle();
    expect(eviction.handles).toEqual(['h-2']);
    await eviction.done;
    await first.close();
    const second = await open();
    expect(second.list().map((s) => s.handle)).toEqual(['h-1']);
    expect(await second.delete('h-1')).toBe(true);
    await second.close();
    const third = await open();
    expect(third.list()).toEqual([]);
    expect((await fs.readdir(shapesDir())).sort()).toEqual(['access.json', 'journal.1']);
  });
});

/** A journal item as the store writes it: two entries of the commit at `lsn`, after `openChunkBytes`. */
function journalItem(
  handle: string,
  lsn: bigint,
  logPosition: number,
  indexPosition: number,
  openChunkBytes: number,
): JournalItem {
  const entries = transaction(lsn, 2);
  const parts: Buffer[] = [];
  const records: SegmentRecord[] = [];
  let end = logPosition;
  for (const segment of planSegments(entries, openChunkBytes, CHUNK_BYTES)) {
    const bytes = encodeLines(entries, segment.from, segment.to);
    parts.push(bytes);
    end += bytes.length;
    records.push({
      last: segment.last,
      end,
      chunkBytesAfter: segment.chunkBytesAfter,
      chunkEnd: segment.chunkEnd,
    });
  }
  return {
    handle,
    logPosition,
    logBytes: Buffer.concat(parts),
    indexPosition,
    indexBytes: encodeIndexRecords(records),
  };
}

async function openChunkBytes(indexFile: string): Promise<number> {
  return decodeIndexRecords(await fs.readFile(indexFile)).records.at(-1)?.chunkBytesAfter ?? 0;
}
