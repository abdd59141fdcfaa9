// Rules of our patch of pglite-sync (patches/@electric-sql__pglite-sync@0.6.1.patch; sync/SPEC.md SY12,
// SY13, SY14), on a real in-memory PGlite with the real plugin, against a scripted shape server: the
// server answers exactly what each case needs (a 409, an up-to-date below the last commit, a row the
// replica refuses), which a real server gives only in rare timings.
import { PGlite } from '@electric-sql/pglite';
import { electricSync, type SyncNamespaceObj } from '@electric-sql/pglite-sync';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';

type Row = Record<string, string>;

interface Entry {
  readonly offset: string;
  readonly message: object;
}

/** One shape of the scripted server: a log of entries and the LSN its up-to-dates announce. */
class ScriptedShape {
  handle: string;
  entries: Entry[] = [];
  announced = 0n;
  private generation = 1;
  private sequence = 0;
  private readonly waiting = new Set<() => void>();

  constructor(
    readonly name: string,
    snapshot: readonly Row[],
  ) {
    this.handle = `${name}-1`;
    this.resetTo(snapshot);
  }

  /** A new shape handle whose snapshot is `rows`; the next request on the old handle gets a 409. */
  rotate(snapshot: readonly Row[], announced: bigint): void {
    this.generation += 1;
    this.handle = `${this.name}-${this.generation}`;
    this.resetTo(snapshot);
    this.announced = announced;
  }

  /** One transaction's change, and what up-to-dates announce from then on. */
  push(lsn: bigint, operation: 'insert' | 'update' | 'delete', row: Row): void {
    this.entries.push({
      offset: `${lsn}_${++this.sequence}`,
      message: {
        headers: { operation, relation: ['public', this.name], lsn: String(lsn), op_position: 0, last: true },
        key: `"public"."${this.name}"/"${row.id}"`,
        value: row,
      },
    });
    this.announce(lsn);
  }

  announce(lsn: bigint): void {
    this.announced = lsn;
    for (const wake of [...this.waiting]) wake();
  }

  after(offset: string): Entry[] {
    if (offset === '-1') return this.entries;
    const at = this.entries.findIndex((entry) => entry.offset === offset);
    return at < 0 ? [] : this.entries.slice(at + 1);
  }

  waitForChange(onClose: (stop: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiting.delete(wake);
        resolve();
      };
      this.waiting.add(wake);
      onClose(wake);
    });
  }

  private resetTo(snapshot: readonly Row[]): void {
    this.entries = snapshot.map((row) => ({
      offset: `0_${++this.sequence}`,
      message: {
        headers: { operation: 'insert', relation: ['public', this.name] },
        key: `"public"."${this.name}"/"${row.id}"`,
        value: row,
      },
    }));
  }
}

/** Serves `/<shape>` like the Electric shape API, from the scripted shapes. */
class ScriptedShapeServer {
  readonly shapes = new Map<string, ScriptedShape>();
  /** Every request's query, in order: what the client asked for. */
  readonly requests: { shape: string; offset: string; handle: string | null; live: boolean }[] = [];
  private server: Server | undefined;

  shape(name: string, snapshot: readonly Row[]): ScriptedShape {
    const shape = new ScriptedShape(name, snapshot);
    this.shapes.set(name, shape);
    return shape;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const shape = this.shapes.get(url.pathname.slice(1));
    if (!shape) return void res.writeHead(404).end();
    const offset = url.searchParams.get('offset') ?? '-1';
    const handle = url.searchParams.get('handle');
    const live = url.searchParams.get('live') === 'true';
    this.requests.push({ shape: shape.name, offset, handle, live });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'electric-schema': JSON.stringify({ id: { type: 'text', pk_index: 0 }, label: { type: 'text' } }),
    };
    const stale = () => offset !== '-1' && handle !== shape.handle;
    if (live && !stale() && shape.after(offset).length === 0) {
      await shape.waitForChange((stop) => res.once('close', stop));
      if (res.destroyed) return;
    }
    if (stale()) {
      res.writeHead(409, { ...headers, 'electric-handle': shape.handle });
      return void res.end(JSON.stringify([{ headers: { control: 'must-refetch' } }]));
    }
    const entries = shape.after(offset);
    const last = entries.at(-1)?.offset ?? offset;
    const initial = offset === '-1';
    const body: object[] = entries.map((entry) => entry.message);
    if (!initial)
      body.push({ headers: { control: 'up-to-date', global_last_seen_lsn: String(shape.announced) } });
    res.writeHead(200, {
      ...headers,
      'electric-handle': shape.handle,
      'electric-offset': initial && last === '-1' ? '0_0' : last,
      ...(initial ? {} : { 'electric-up-to-date': '' }),
      ...(live ? { 'electric-cursor': '1' } : {}),
    });
    res.end(JSON.stringify(body));
  }
}

type SyncingPGlite = PGlite & { electric: SyncNamespaceObj };

async function openReplica(): Promise<SyncingPGlite> {
  return PGlite.create({ extensions: { electric: electricSync() } });
}

const TABLES = `
  create table items_a (id text primary key, label text not null);
  create table items_b (id text primary key, label text not null check (label <> 'refused'));
`;

async function until<T>(read: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// PGlite starts in seconds on a busy machine: room for it, not a timing.
describe('pglite-sync as patched', { timeout: 60_000 }, () => {
  const server = new ScriptedShapeServer();
  let db: SyncingPGlite;
  let stop: (() => void) | undefined;

  afterEach(async () => {
    stop?.();
    await server.stop();
    await db.close();
  });

  async function subscribe(origin: string, onError?: (error: Error) => void) {
    const sync = await db.electric.syncShapesToTables({
      key: 'scripted',
      shapes: {
        a: { shape: { url: `${origin}/a` }, table: 'items_a', primaryKey: ['id'] },
        b: { shape: { url: `${origin}/b` }, table: 'items_b', primaryKey: ['id'] },
      },
      ...(onError ? { onError } : {}),
    });
    stop = () => sync.unsubscribe();
  }

  const ids = async (table: string) =>
    (await db.query<{ id: string }>(`select id from ${table} order by id`)).rows.map((row) => row.id);

  /** Shapes a and b with one row each, both announced at LSN 100 and committed in the replica. */
  async function syncedAt100(onError?: (error: Error) => void) {
    db = await openReplica();
    await db.exec(TABLES);
    const a = server.shape('a', [{ id: 'a1', label: 'one' }]);
    const b = server.shape('b', [{ id: 'b1', label: 'one' }]);
    a.announced = 100n;
    b.announced = 100n;
    await subscribe(await server.start(), onError);
    await until(
      () => ids('items_b'),
      (rows) => rows.includes('b1'),
    );
    return { a, b };
  }

  it('[SY13] a refetched shape commits once it is up to date, though its up-to-date is below the last commit', async () => {
    const { a, b } = await syncedAt100();

    // A commit at 200: both shapes have announced it.
    a.announce(200n);
    b.push(200n, 'insert', { id: 'b2', label: 'two' });
    await until(
      () => ids('items_b'),
      (rows) => rows.includes('b2'),
    );

    // Shape a is refetched (a 409), and its new snapshot's up-to-date says 150: below the last commit.
    a.rotate(
      [
        { id: 'a1', label: 'one' },
        { id: 'a3', label: 'three' },
      ],
      150n,
    );
    a.announce(150n); // wakes a's held live request, which then meets the 409
    expect(
      await until(
        () => ids('items_a'),
        (rows) => rows.includes('a3'),
      ),
    ).toEqual(['a1', 'a3']);
    expect(await ids('items_b')).toEqual(['b1', 'b2']);
  });

  it('[SY14] a commit the replica refuses stops the sync and reports it, and nothing later is recorded past it', async () => {
    const errors: Error[] = [];
    const { a, b } = await syncedAt100((error) => errors.push(error));
    const progress = async () =>
      (
        await db.query<{ shape_metadata: unknown }>(
          `select shape_metadata from electric.subscriptions_metadata`,
        )
      ).rows[0]?.shape_metadata;
    const before = JSON.stringify(await progress());

    a.announce(200n);
    b.push(200n, 'insert', { id: 'b2', label: 'refused' });
    await until(
      () => errors.length,
      (count) => count > 0,
    );
    expect(String(errors[0])).toMatch(/check constraint/);

    // A later transaction arrives and the client has read it (it asks for what follows): nothing is
    // committed past the refused one.
    const bRequests = server.requests.filter((request) => request.shape === 'b').length;
    a.push(300n, 'insert', { id: 'a2', label: 'two' });
    b.announce(300n);
    const a2 = a.entries.at(-1)?.offset;
    await until(
      () => server.requests,
      (requests) =>
        requests.some((request) => request.shape === 'a' && request.offset === a2) &&
        requests.filter((request) => request.shape === 'b').length > bRequests,
    );
    await db.transaction(() => Promise.resolve());
    expect(await ids('items_a')).toEqual(['a1']);
    expect(JSON.stringify(await progress())).toBe(before);
  });
});
