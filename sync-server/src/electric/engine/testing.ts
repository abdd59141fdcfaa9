// Test support for the engine's pg tests and the official-client integration tests: a real HTTP
// server (buildApp + the shape routes) over a real engine on a test database, and helpers that wait
// for protocol events, never for time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { ShapeConfig } from '../../config';
import { buildApp } from '../../http/app';
import { silentLogger, type Logger } from '../../log';
import type { LogOffset } from '../offset';
import { dropSlot } from '../replication/setup';
import { refusedAppend } from '../storage/store';
import type {
  Appended,
  Eviction,
  NewShape,
  ReadResult,
  ShapeInfo,
  ShapeLogStore,
  SnapshotXids,
  StoredEntry,
  WaitListener,
  WaitOptions,
  WaitOutcome,
} from '../storage/store';
import { startShapeEngine, type RunningShapeEngine, type StartShapeEngineOptions } from './start';

export interface TestShapeServer {
  readonly url: string;
  readonly shapeUrl: string;
  readonly running: RunningShapeEngine;
  readonly app: FastifyInstance;
  readonly dataDir: string;
  /** Stops HTTP and the engine; the slot and the shape files stay (a restart resumes from them). */
  stop(): Promise<void>;
}

export interface TestServerOptions {
  readonly db: { readonly name: string; readonly url: string; readonly pool: pg.Pool };
  readonly dataDir?: string;
  readonly config?: Partial<ShapeConfig>;
  readonly log?: Logger;
  readonly extra?: Partial<
    Omit<StartShapeEngineOptions, 'pool' | 'databaseUrl' | 'dataDir' | 'config' | 'log'>
  >;
}

export const TEST_SHAPE_CONFIG: ShapeConfig = {
  secret: undefined,
  chunkBytes: 10 * 1024 * 1024,
  longPollMs: 20_000,
  allowDelete: true,
};

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-shapes-'));
}

/** The slot is named after the database: slot names are cluster-wide. */
export function testSlotName(db: { readonly name: string }): string {
  return db.name;
}

export async function startTestShapeServer(options: TestServerOptions): Promise<TestShapeServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const log = options.log ?? silentLogger();
  const running = await startShapeEngine({
    pool: options.db.pool,
    databaseUrl: options.db.url,
    dataDir,
    config: { ...TEST_SHAPE_CONFIG, ...options.config },
    log,
    names: { slot: testSlotName(options.db) },
    ...options.extra,
  });
  await running.ready;
  const app = await buildApp({
    pool: options.db.pool,
    migrations: [],
    webDist: path.join(dataDir, 'no-web'),
    log,
    // As a Hearth process serves it: GET /v1/shape ahead of Fastify (SE63), the rest on Fastify.
    rawRoutes: [running.rawRoute],
    routes: [running.routes],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  let stopped = false;
  return {
    url,
    shapeUrl: `${url}/v1/shape`,
    running,
    app,
    dataDir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await app.close();
      await running.stop();
    },
  };
}

/** Removes a data folder made by `tempDataDir` once its servers stopped. */
export function removeDataDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** After the last server of a database stopped: drop its slot so the database can be dropped. */
export async function dropTestSlot(db: { readonly name: string; readonly pool: pg.Pool }): Promise<void> {
  await dropSlot(db.pool, testSlotName(db));
}

/** A gate a test opens: calls stopped at it go on once it opens. */
interface Gate {
  readonly reached: Promise<void>;
  readonly open: () => void;
  readonly opened: Promise<void>;
  readonly arrive: () => void;
}

function gate(): Gate {
  let arrive!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { reached, opened, open, arrive };
}

/**
 * The real store with doors a test controls (SE57, SE35, SE42, SE65): the appends of a chosen shape,
 * the durability of appends, the next shape creation, or a snapshot's rows past some batches, wait
 * until the test opens them, as a slow disk or a slow snapshot would. Everything else goes straight
 * through.
 */
export class GatedStore implements ShapeLogStore {
  private readonly appends = new Map<string, Gate>();
  private nextCreate: Gate | undefined;
  private snapshotRows: { left: number; gate: Gate } | undefined;
  private durability: Gate | undefined;
  private readonly failing = new Set<string>();

  constructor(private readonly inner: ShapeLogStore) {}

  /**
   * Lets the next `batches` snapshot appends through, then holds the ones after: a snapshot stopped
   * halfway, as a big table's would be (SE65). `reached` resolves when one is held.
   */
  holdSnapshotAfter(batches: number): { reached: Promise<void>; open: () => void } {
    const g = gate();
    this.snapshotRows = { left: batches, gate: g };
    return {
      reached: g.reached,
      open: () => {
        this.snapshotRows = undefined;
        g.open();
      },
    };
  }

  /** Holds the shape's transaction appends; `reached` resolves when one is held, `open` lets them go. */
  holdAppends(handle: string): { reached: Promise<void>; open: () => void } {
    const g = gate();
    this.appends.set(handle, g);
    return {
      reached: g.reached,
      open: () => {
        this.appends.delete(handle);
        g.open();
      },
    };
  }

  /**
   * Holds every transaction append between visible and durable, as a slow disk would (SE42): readers
   * see the entries, the engine hears they are durable only once `open` is called.
   */
  holdDurability(): { reached: Promise<void>; open: () => void } {
    const g = gate();
    this.durability = g;
    return {
      reached: g.reached,
      open: () => {
        this.durability = undefined;
        g.open();
      },
    };
  }

  /** The shape's transaction appends fail from now on, as on a full or broken disk. */
  failAppends(handle: string): void {
    this.failing.add(handle);
  }

  /** Holds the next shape creation (its snapshot has started: transactions from now on are buffered). */
  holdNextCreate(): { reached: Promise<void>; open: () => void } {
    const g = gate();
    this.nextCreate = g;
    return { reached: g.reached, open: g.open };
  }

  async create(shape: NewShape): Promise<ShapeInfo> {
    const g = this.nextCreate;
    if (g) {
      this.nextCreate = undefined;
      g.arrive();
      await g.opened;
    }
    return this.inner.create(shape);
  }

  setSnapshot(handle: string, xids: SnapshotXids): Promise<void> {
    return this.inner.setSnapshot(handle, xids);
  }

  appendSnapshot(handle: string, entries: readonly StoredEntry[]): Promise<void> {
    const held = this.snapshotRows;
    if (!held || held.left-- > 0) return this.inner.appendSnapshot(handle, entries);
    held.gate.arrive();
    return held.gate.opened.then(() => this.inner.appendSnapshot(handle, entries));
  }

  completeSnapshot(handle: string): Promise<void> {
    return this.inner.completeSnapshot(handle);
  }

  appendTransaction(handle: string, lsn: bigint, entries: readonly StoredEntry[]): Appended {
    const held = this.durability;
    const appended = this.shapeGatedAppend(handle, lsn, entries);
    if (!held) return appended;
    const durable = appended.durable.then(() => {
      held.arrive();
      return held.opened;
    });
    return { visible: appended.visible, durable };
  }

  private shapeGatedAppend(handle: string, lsn: bigint, entries: readonly StoredEntry[]): Appended {
    if (this.failing.has(handle)) {
      return refusedAppend(new Error(`The test failed the append to ${handle}.`));
    }
    const g = this.appends.get(handle);
    if (!g) return this.inner.appendTransaction(handle, lsn, entries);
    g.arrive();
    const appended = g.opened.then(() => this.inner.appendTransaction(handle, lsn, entries));
    return { visible: appended.then((a) => a.visible), durable: appended.then((a) => a.durable) };
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  read(handle: string, since: LogOffset): Promise<ReadResult> {
    return this.inner.read(handle, since);
  }

  readCached(handle: string, since: LogOffset): ReadResult | undefined {
    return this.inner.readCached(handle, since);
  }

  waitForChange(handle: string, since: LogOffset, options: WaitOptions): Promise<WaitOutcome> {
    return this.inner.waitForChange(handle, since, options);
  }

  watch(
    handle: string,
    since: LogOffset,
    options: WaitOptions,
    listener: WaitListener,
  ): WaitOutcome | undefined {
    return this.inner.watch(handle, since, options, listener);
  }

  info(handle: string): ShapeInfo | undefined {
    return this.inner.info(handle);
  }

  tail(handle: string): LogOffset | undefined {
    return this.inner.tail(handle);
  }

  list(): ShapeInfo[] {
    return this.inner.list();
  }

  delete(handle: string): Promise<boolean> {
    return this.inner.delete(handle);
  }

  evictIdle(): Eviction {
    return this.inner.evictIdle();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
