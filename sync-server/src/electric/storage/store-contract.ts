// The one contract suite every ShapeLogStore passes (SPEC.md SE39–SE46; STYLE.md #8). Each store's
// test file calls `shapeLogStoreContract` with a factory; disk-only rules live in its own file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkSlice, entryBytes, fitIntoChunk, type ChunkedEntry } from '../chunking';
import { BEFORE_ALL, compareOffsets, formatOffset, type LogOffset } from '../offset';
import { isShapeNotFound, ShapeStoreError } from './errors';
import type { NewShape, ShapeLogStore, StoredEntry, StoreOptions } from './store';

export interface StoreFactory {
  /** Opens a store; within one test, every call opens the same underlying storage. */
  open(options: StoreOptions): Promise<ShapeLogStore>;
  /** Called after each test: close and remove whatever `open` made. */
  cleanup(): Promise<void>;
}

export function newShape(handle: string, createdAt = 1_000): NewShape {
  return {
    handle,
    definitionKey: `key of ${handle}`,
    definitionHash: '3833821',
    definition: JSON.stringify({ table: 'items', where: 'n = 1' }),
    schemaHeader: '{"id":{"type":"int8","pk_index":0},"value":{"type":"text"}}',
    createdAt,
  };
}

/** An encoded-looking entry; `size` pads the value so tests can steer chunk boundaries. */
export function entry(tx: bigint, op: number, value: string, size = 0): StoredEntry {
  const headers =
    tx === 0n ? { operation: 'insert' } : { operation: 'insert', lsn: String(tx), op_position: op };
  return {
    offset: { tx, op },
    json: JSON.stringify({
      headers,
      key: `"public"."items"/"${tx}_${op}"`,
      value: { v: value.padEnd(size, '.') },
    }),
  };
}

export function transaction(lsn: bigint, count: number, tag = 'v', size = 0): StoredEntry[] {
  return Array.from({ length: count }, (_, i) => entry(lsn, i * 2, `${tag}${lsn}.${i}`, size));
}

async function rejectsWith(promise: Promise<unknown>, reason: string): Promise<ShapeStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShapeStoreError);
  expect((error as ShapeStoreError).reason).toBe(reason);
  expect((error as ShapeStoreError).message.length).toBeGreaterThan(20);
  return error as ShapeStoreError;
}

/** Reads the whole log by following `lastOffset`, as a client pages through chunks. */
export async function readAll(store: ShapeLogStore, handle: string): Promise<string[]> {
  const out: string[] = [];
  let since: LogOffset = BEFORE_ALL;
  for (;;) {
    const r = await store.read(handle, since);
    out.push(...r.entries);
    if (r.upToDate) return out;
    // A read that neither reaches the tail nor moves on would loop here for ever: say so instead.
    if (r.entries.length === 0 && compareOffsets(r.lastOffset, since) <= 0) {
      throw new Error(
        `a read of ${handle} after ${formatOffset(since)} returned nothing, short of the tail ${formatOffset(r.tail)}`,
      );
    }
    since = r.lastOffset;
  }
}

export function shapeLogStoreContract(name: string, factory: () => StoreFactory): void {
  describe(`ShapeLogStore contract: ${name}`, () => {
    let f: StoreFactory;
    let clock = 10_000;
    const now = (): number => clock;
    const open = (options: Partial<StoreOptions> = {}): Promise<ShapeLogStore> =>
      f.open({ chunkBytes: 1000, now, ...options });

    beforeEach(() => {
      f = factory();
      clock = 10_000;
    });
    afterEach(async () => {
      await f.cleanup();
    });

    it('[SE39] a created shape lists its metadata, an empty log at -1 and no LSN', async () => {
      const store = await open();
      const info = await store.create(newShape('100-1'));
      expect(info).toMatchObject({ ...newShape('100-1'), snapshot: undefined, snapshotComplete: false });
      expect(info.tail).toEqual(BEFORE_ALL);
      expect(info.lastLsn).toBe(0n);
      expect(info.lastAccess).toBe(10_000);
      expect(store.list().map((s) => s.handle)).toEqual(['100-1']);
      expect(store.info('100-1')).toEqual(info);
      expect(store.info('nope')).toBeUndefined();
      const empty = await store.read('100-1', BEFORE_ALL);
      expect(empty).toEqual({ entries: [], lastOffset: BEFORE_ALL, tail: BEFORE_ALL, upToDate: true });
    });

    it('[SE39] a handle is never reused and must be able to name a folder', async () => {
      const store = await open();
      await store.create(newShape('100-1'));
      await rejectsWith(store.create(newShape('100-1')), 'shape_exists');
      for (const bad of ['', '../etc', 'a/b', '.hidden', 'x'.repeat(129), 'journal.1']) {
        await rejectsWith(store.create(newShape(bad)), 'invalid_handle');
      }
    });

    it('[SE39] the snapshot xids and its completion are kept in the metadata', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      await store.setSnapshot('h-1', { xmin: 100n, xmax: 105n, xip: [101n, 103n] });
      await store.appendSnapshot('h-1', [entry(0n, 0, 'a'), entry(0n, 1, 'b')]);
      await store.completeSnapshot('h-1');
      expect(store.info('h-1')).toMatchObject({
        snapshot: { xmin: 100n, xmax: 105n, xip: [101n, 103n] },
        snapshotComplete: true,
        tail: { tx: 0n, op: 1 },
        lastLsn: 0n,
      });
    });

    it('[SE40] a read since an offset returns the rest of that chunk, the tail and whether it reached it', async () => {
      const store = await open({ chunkBytes: 500 });
      await store.create(newShape('h-1'));
      const snapshot = Array.from({ length: 5 }, (_, i) => entry(0n, i, `s${i}`, 100));
      await store.appendSnapshot('h-1', snapshot);
      const tx = transaction(500n, 3, 't', 100);
      await store.appendTransaction('h-1', 500n, tx).durable;
      const jsons = [...snapshot, ...tx].map((e) => e.json);
      const sizes = jsons.map(entryBytes);
      expect(sizes.slice(0, 5).every((s) => s === 188) && sizes.slice(5).every((s) => s === 218)).toBe(true);
      // A chunk closes at 500 bytes: chunks are [0..2] (564), [3..5] (594), [6..7] (open, 436).
      const first = await store.read('h-1', BEFORE_ALL);
      expect(first.entries).toEqual(jsons.slice(0, 3));
      expect(first.lastOffset).toEqual({ tx: 0n, op: 2 });
      expect(first.tail).toEqual({ tx: 500n, op: 4 });
      expect(first.upToDate).toBe(false);
      const mid = await store.read('h-1', { tx: 0n, op: 3 });
      expect(mid.entries).toEqual(jsons.slice(4, 6));
      const last = await store.read('h-1', { tx: 500n, op: 0 });
      expect(last).toEqual({
        entries: jsons.slice(6),
        lastOffset: { tx: 500n, op: 4 },
        tail: last.tail,
        upToDate: true,
      });
      const atTail = await store.read('h-1', { tx: 500n, op: 4 });
      expect(atTail).toEqual({
        entries: [],
        lastOffset: { tx: 500n, op: 4 },
        tail: last.tail,
        upToDate: true,
      });
      expect(await store.read('h-1', BEFORE_ALL)).toEqual(first);
      expect(store.info('h-1')?.lastLsn).toBe(500n);
    });

    it('[SE40] reads equal the pure chunking rule over the whole log, whatever the appends and offsets', async () => {
      const store = await open({ chunkBytes: 700 });
      await store.create(newShape('h-1'));
      let seed = 7;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const all: StoredEntry[] = [];
      const snapshot = Array.from({ length: 9 }, (_, i) => entry(0n, i, `s${i}`, random(300)));
      await store.appendSnapshot('h-1', snapshot.slice(0, 4));
      await store.appendSnapshot('h-1', snapshot.slice(4));
      all.push(...snapshot);
      for (let lsn = 1000n; lsn < 1040n; lsn += 1n + BigInt(random(3))) {
        const tx = transaction(lsn, 1 + random(6), 't', random(400));
        await store.appendTransaction('h-1', lsn, tx).durable;
        all.push(...tx);
      }
      let chunk = 0;
      const chunked: ChunkedEntry[] = all.map((e) => {
        const fit = fitIntoChunk(entryBytes(e.json), chunk, 700);
        chunk = fit.chunkSize;
        return { offset: e.offset, chunkEnd: fit.closes };
      });
      const probes: LogOffset[] = [
        BEFORE_ALL,
        { tx: 0n, op: 'inf' },
        { tx: 999n, op: 7 },
        { tx: 2000n, op: 0 },
      ];
      for (const e of all) probes.push(e.offset, { tx: e.offset.tx, op: (e.offset.op as number) + 1 });
      for (const since of probes) {
        const [start, end] = chunkSlice(chunked, since);
        const got = await store.read('h-1', since);
        expect(got.entries).toEqual(all.slice(start, end).map((e) => e.json));
      }
      expect(await readAll(store, 'h-1')).toEqual(all.map((e) => e.json));
    });

    it('[SE41] an append that breaks the log order or format is refused whole, with nothing appended', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      await store.appendTransaction('h-1', 10n, transaction(10n, 2)).durable;
      const before = await store.read('h-1', BEFORE_ALL);
      await rejectsWith(store.appendTransaction('h-1', 10n, transaction(10n, 1)).durable, 'invalid_entry');
      await rejectsWith(store.appendTransaction('h-1', 9n, transaction(9n, 1)).durable, 'invalid_entry');
      await rejectsWith(store.appendTransaction('h-1', 11n, transaction(12n, 1)).durable, 'invalid_entry');
      await rejectsWith(store.appendTransaction('h-1', 0n, []).durable, 'invalid_entry');
      await rejectsWith(store.appendSnapshot('h-1', [entry(0n, 0, 'late')]), 'invalid_entry');
      await rejectsWith(store.appendSnapshot('h-1', [entry(11n, 0, 'real')]), 'invalid_entry');
      const twoLines = [entry(11n, 0, 'ok'), { offset: { tx: 11n, op: 2 }, json: '{"a":1}\n{"b":2}' }];
      await rejectsWith(store.appendTransaction('h-1', 11n, twoLines).durable, 'invalid_entry');
      await rejectsWith(
        store.appendTransaction('h-1', 11n, [entry(11n, 2, 'a'), entry(11n, 2, 'b')]).durable,
        'invalid_entry',
      );
      expect(await store.read('h-1', BEFORE_ALL)).toEqual(before);
      await store.appendTransaction('h-1', 11n, transaction(11n, 1)).durable;
      expect(store.info('h-1')?.tail).toEqual({ tx: 11n, op: 0 });
    });

    it('[SE41] an unknown handle is shape_not_found for reads, appends and waits', async () => {
      const store = await open();
      const error = await rejectsWith(store.read('9-9', BEFORE_ALL), 'shape_not_found');
      expect(isShapeNotFound(error)).toBe(true);
      expect(error.code).toBe('not_found');
      await rejectsWith(store.appendTransaction('9-9', 5n, transaction(5n, 1)).durable, 'shape_not_found');
      await rejectsWith(store.waitForChange('9-9', BEFORE_ALL, { timeoutMs: 10 }), 'shape_not_found');
    });

    it('[SE42] appends to many shapes made together are all visible once they and flush resolve', async () => {
      const store = await open();
      const handles = Array.from({ length: 50 }, (_, i) => `s-${i}`);
      for (const h of handles) await store.create(newShape(h));
      const pending = handles.map(
        (h, i) => store.appendTransaction(h, 77n, transaction(77n, 1 + (i % 3))).durable,
      );
      await store.flush();
      await Promise.all(pending);
      for (const [i, h] of handles.entries()) {
        expect((await store.read(h, BEFORE_ALL)).entries).toEqual(
          transaction(77n, 1 + (i % 3)).map((e) => e.json),
        );
        expect(store.info(h)?.lastLsn).toBe(77n);
      }
    });

    it('[SE42] once `visible` settles, the tail, reads and waiters see the append', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      const waiting = store.waitForChange('h-1', BEFORE_ALL, { timeoutMs: 60_000 });
      const appended = store.appendTransaction('h-1', 5n, transaction(5n, 2));
      await appended.visible;
      expect(store.tail('h-1')).toEqual({ tx: 5n, op: 2 });
      expect(store.readCached('h-1', BEFORE_ALL)?.entries).toEqual(transaction(5n, 2).map((e) => e.json));
      expect((await store.read('h-1', BEFORE_ALL)).entries).toEqual(transaction(5n, 2).map((e) => e.json));
      expect(await waiting).toBe('changed');
      await appended.durable;
    });

    it('[SE42] a refused append is never visible: `visible` settles, `durable` rejects, the tail stays', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      const refused = store.appendTransaction('h-1', 0n, transaction(0n, 1));
      await refused.visible;
      await rejectsWith(refused.durable, 'invalid_entry');
      expect(store.tail('h-1')).toEqual(BEFORE_ALL);
    });

    it('[SE45] a waiter behind the tail resolves at once; one at the tail wakes on the next append', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      await store.appendTransaction('h-1', 5n, transaction(5n, 1)).durable;
      expect(await store.waitForChange('h-1', BEFORE_ALL, { timeoutMs: 60_000 })).toBe('changed');
      const waiting = store.waitForChange('h-1', { tx: 5n, op: 0 }, { timeoutMs: 60_000 });
      const other = await store.create(newShape('h-2'));
      await store.appendTransaction(other.handle, 6n, transaction(6n, 1)).durable;
      await store.appendTransaction('h-1', 7n, transaction(7n, 1)).durable;
      expect(await waiting).toBe('changed');
      expect((await store.read('h-1', { tx: 5n, op: 0 })).entries).toEqual(
        transaction(7n, 1).map((e) => e.json),
      );
    });

    it('[SE45] a waiter ends with timeout, deleted or aborted', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      expect(await store.waitForChange('h-1', BEFORE_ALL, { timeoutMs: 1 })).toBe('timeout');
      const controller = new AbortController();
      const aborted = store.waitForChange('h-1', BEFORE_ALL, {
        timeoutMs: 60_000,
        signal: controller.signal,
      });
      controller.abort();
      expect(await aborted).toBe('aborted');
      const deleted = store.waitForChange('h-1', BEFORE_ALL, { timeoutMs: 60_000 });
      expect(await store.delete('h-1')).toBe(true);
      expect(await deleted).toBe('deleted');
    });

    it('[SE46] a deleted shape is gone at once and its handle stays taken by nobody', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      await store.create(newShape('h-2'));
      await store.appendTransaction('h-1', 5n, transaction(5n, 2)).durable;
      const deleting = store.delete('h-1');
      await rejectsWith(store.read('h-1', BEFORE_ALL), 'shape_not_found');
      expect(await deleting).toBe(true);
      expect(await store.delete('h-1')).toBe(false);
      expect(store.list().map((s) => s.handle)).toEqual(['h-2']);
    });

    it('[SE46] eviction removes the least recently read idle shapes past the maximum', async () => {
      const store = await open({ maxShapes: 2 });
      for (const h of ['a-1', 'b-1', 'c-1', 'd-1']) {
        clock += 1;
        await store.create(newShape(h));
      }
      clock = 20_000;
      await store.read('a-1', BEFORE_ALL);
      expect(store.info('a-1')?.lastAccess).toBe(20_000);
      clock = 20_001;
      // b-1 is the least recently used, but a live request waits on it: not idle.
      const live = store.waitForChange('b-1', BEFORE_ALL, { timeoutMs: 60_000 });
      const eviction = store.evictIdle();
      expect(eviction.handles).toEqual(['c-1', 'd-1']);
      expect(
        store
          .list()
          .map((s) => s.handle)
          .sort(),
      ).toEqual(['a-1', 'b-1']);
      await eviction.done;
      expect(store.evictIdle().handles).toEqual([]);
      await store.appendTransaction('b-1', 3n, transaction(3n, 1)).durable;
      expect(await live).toBe('changed');
    });

    it('[SE39] a closed store refuses every call', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      const live = store.waitForChange('h-1', BEFORE_ALL, { timeoutMs: 60_000 });
      await store.close();
      expect(await live).toBe('aborted');
      await rejectsWith(store.read('h-1', BEFORE_ALL), 'closed');
      await rejectsWith(store.appendTransaction('h-1', 5n, transaction(5n, 1)).durable, 'closed');
      await rejectsWith(store.create(newShape('h-2')), 'closed');
    });

    it('[SE40] offsets compare as 64-bit numbers: LSNs past 2^53 keep their order', async () => {
      const store = await open();
      await store.create(newShape('h-1'));
      const big = 2n ** 63n + 5n;
      await store.appendTransaction('h-1', big, transaction(big, 2)).durable;
      await store.appendTransaction('h-1', big + 1n, transaction(big + 1n, 1)).durable;
      const r = await store.read('h-1', { tx: big, op: 2 });
      expect(r.entries).toEqual(transaction(big + 1n, 1).map((e) => e.json));
      expect(compareOffsets(r.tail, { tx: big + 1n, op: 0 })).toBe(0);
    });
  });
}
