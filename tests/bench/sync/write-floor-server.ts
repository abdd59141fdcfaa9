// The write floor: a bare node:http server in its own process that takes POST /api/mutations bodies
// and stores each mutation with one autocommitted INSERT (one round trip, one durable commit) into
// the same Postgres Hearth uses, answering every one `accepted`. No session, no validation, no
// authorization, no receipt, no transaction of its own: what the same 50 clients measure against it
// is what HTTP, JSON and one durable Postgres write per mutation cost on this machine, the floor under
// Hearth's figure.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { serve } from './ipc';
import { LoadMeter } from './load';

const meter = new LoadMeter();
let server: http.Server | undefined;
let pool: pg.Pool | undefined;

const TABLE = 'bench_write_floor';

interface Body {
  mutations: { id: string; name: string; args: unknown }[];
}

async function store(db: pg.Pool, body: Body): Promise<{ id: string; status: 'accepted' }[]> {
  const outcomes: { id: string; status: 'accepted' }[] = [];
  for (const mutation of body.mutations) {
    await db.query({
      name: 'floor_insert',
      text: `insert into ${TABLE} (id, name, args) values ($1, $2, $3)`,
      values: [mutation.id, mutation.name, JSON.stringify(mutation.args)],
    });
    outcomes.push({ id: mutation.id, status: 'accepted' });
  }
  return outcomes;
}

const handlers = {
  /** `connections`: the pool size, as Hearth's own pool has. */
  async start(arg: { databaseUrl: string; connections: number }) {
    const db = new pg.Pool({ connectionString: arg.databaseUrl, max: arg.connections });
    pool = db;
    await db.query(
      `create table if not exists ${TABLE} (id uuid primary key, name text not null, args jsonb)`,
    );
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        store(db, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body).then(
          (outcomes) => {
            response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
            response.end(JSON.stringify({ outcomes }));
          },
          (error: unknown) => {
            response.writeHead(500, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ code: 'floor_failed', message: String(error) }));
          },
        );
      });
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}` };
  },
  mark() {
    meter.mark();
  },
  load() {
    return meter.read();
  },
  async stop() {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool?.end();
  },
};

export type WriteFloorServerApi = typeof handlers;

serve(handlers, () => handlers.stop());
