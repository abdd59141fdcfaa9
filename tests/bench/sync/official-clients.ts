// A process of official clients for the sync bench: `@electric-sql/client` ShapeStreams (live fan-out
// and initial sync) and PGlite 0.5.16 with `@electric-sql/pglite-sync` (initial sync into a table),
// in a process of their own so their CPU is measured apart from the server's.
import { ShapeStream, isChangeMessage, isControlMessage, type Message, type Row } from '@electric-sql/client';
import { PGlite } from '@electric-sql/pglite';
import { electricSync, type SyncNamespaceObj } from '@electric-sql/pglite-sync';
import { serve } from './ipc';
import { LoadMeter, monotonicMs } from './load';
import { Waits } from './waits';

/** The shape's query params; live, offset and handle belong to the client. */
export type ShapeParams = { table: string; secret: string; where?: string };

const meter = new LoadMeter();
const streams: ShapeStream<Row>[] = [];
const deliveries: number[][] = [];
const reached: number[] = [];
let failure: string | undefined;
let local: Promise<PGlite & { sync: SyncNamespaceObj }> | undefined;
let openedInMs = 0;

const waits = new Waits(() => failure);

function onError(error: Error): void {
  failure ??= `a ShapeStream failed: ${error.message}`;
  waits.settle();
}

/** PGlite takes seconds to open in Node: opened once, and that time is reported apart. */
function pglite(): Promise<PGlite & { sync: SyncNamespaceObj }> {
  local ??= (async () => {
    const started = monotonicMs();
    const db = await PGlite.create({ extensions: { sync: electricSync() } });
    openedInMs = monotonicMs() - started;
    return db;
  })();
  return local;
}

const handlers = {
  /** `count` live ShapeStreams from a known handle and offset; resolves once each is up to date. */
  async open(arg: { url: string; params: ShapeParams; count: number; handle: string; offset: string }) {
    let upToDate = 0;
    for (let i = 0; i < arg.count; i++) {
      const stream = new ShapeStream<Row>({
        url: arg.url,
        params: arg.params,
        handle: arg.handle,
        offset: arg.offset as `${number}_${number}`,
        onError,
      });
      const mine: number[] = [];
      deliveries.push(mine);
      let seenUpToDate = false;
      stream.subscribe((messages: Message<Row>[]) => {
        const at = monotonicMs();
        if (messages.some((m) => isChangeMessage(m))) {
          mine.push(at);
          reached[mine.length] = (reached[mine.length] ?? 0) + 1;
        }
        if (
          !seenUpToDate &&
          messages.some((m) => isControlMessage(m) && m.headers.control === 'up-to-date')
        ) {
          seenUpToDate = true;
          upToDate++;
        }
        waits.settle();
      }, onError);
      streams.push(stream);
    }
    await waits.until(
      () => (upToDate >= arg.count ? true : undefined),
      () => `${arg.count - upToDate} of ${arg.count} ShapeStreams never got up to date`,
    );
    return streams.length;
  },
  round(arg: { round: number }) {
    return waits.until(
      () =>
        (reached[arg.round] ?? 0) >= deliveries.length
          ? Float64Array.from(deliveries, (d) => d[arg.round - 1] as number)
          : undefined,
      () =>
        `${deliveries.length - (reached[arg.round] ?? 0)} of ${deliveries.length} streams got no write ${arg.round}`,
    );
  },
  closeStreams() {
    for (const stream of streams.splice(0)) stream.unsubscribeAll();
    deliveries.length = 0;
    reached.length = 0;
  },
  /** A ShapeStream from offset -1 until its first up-to-date: the rows it received and the time. */
  async initialSync(arg: { url: string; params: ShapeParams }) {
    const started = monotonicMs();
    const stream = new ShapeStream<Row>({ url: arg.url, params: arg.params, onError });
    let rows = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        stream.subscribe(
          (messages: Message<Row>[]) => {
            for (const m of messages) {
              if (isChangeMessage(m)) rows++;
              else if (m.headers.control === 'up-to-date') resolve();
            }
          },
          (error: Error) => reject(error),
        );
      });
      return { ms: monotonicMs() - started, rows };
    } finally {
      stream.unsubscribeAll();
    }
  },
  /**
   * `syncShapeToTable` into a fresh PGlite table until `onInitialSync` (the rows are committed);
   * returns the time from the call, the rows PGlite holds, and how long PGlite took to open.
   */
  async pgliteSync(arg: {
    url: string;
    params: ShapeParams;
    table: string;
    columnsSql: string;
    method: 'insert' | 'csv' | 'json';
  }) {
    const db = await pglite();
    await db.exec(`create table ${arg.table} (${arg.columnsSql})`);
    let synced!: () => void;
    let failed!: (error: Error) => void;
    const initialSync = new Promise<void>((resolve, reject) => {
      synced = resolve;
      failed = reject;
    });
    const started = monotonicMs();
    const sync = await db.sync.syncShapeToTable({
      shape: { url: arg.url, params: arg.params },
      table: arg.table,
      primaryKey: ['id'],
      shapeKey: null,
      initialInsertMethod: arg.method,
      onInitialSync: () => synced(),
      onError: (error) => failed(error),
    });
    try {
      await initialSync;
      const ms = monotonicMs() - started;
      const counted = await db.query<{ n: number }>(`select count(*)::int as n from ${arg.table}`);
      return { ms, rows: counted.rows[0]?.n ?? 0, openMs: openedInMs };
    } finally {
      sync.unsubscribe();
      await db.exec(`drop table ${arg.table}`);
    }
  },
  mark() {
    meter.mark();
  },
  load() {
    return meter.read();
  },
  async close() {
    handlers.closeStreams();
    if (local) await (await local).close();
  },
};

export type OfficialClientsApi = typeof handlers;

serve(handlers);
