// TEST CODE ONLY: the read and write paths as production wires them (buildApp + the shape engine +
// authRoutes + mutationRoutes + the gateway) on a fresh, migrated database, listening on a real port.
// `upstream: 'http'` serves the gateway from the engine over HTTP, as a real Electric would be.
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { freshDatabase, type FreshDatabase } from '../../../../tests/support/postgres';
import { authRoutes, DEFAULT_AUTH_CONFIG, resolveSession } from '../../auth';
import { SESSION_COOKIE } from '../../auth/session-logic';
import { readMigrationFiles } from '../../db/migrations';
import { startShapeEngine, type RunningShapeEngine } from '../../electric/engine/start';
import { dropTestSlot, removeDataDir, tempDataDir, TEST_SHAPE_CONFIG } from '../../electric/engine/testing';
import { buildApp } from '../../http/app';
import { silentLogger } from '../../log';
import { mutationRoutes } from '../../writes/routes';
import { gatewayRoutes, SHAPES_PATH } from '../routes';
import { httpUpstream, type ShapeUpstream } from '../upstream';

export const TEST_SECRET = 'gateway-test-secret-0123456789abcdef';

export interface GatewayHarness {
  readonly db: FreshDatabase;
  readonly pool: pg.Pool;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly engine: RunningShapeEngine;
  /** `http://…/api/shapes/<name>`. */
  shapeUrl(name: string): string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly upstream?: 'in-process' | 'http';
  /** Short long polls make a held request come back (and re-check visibility) sooner. */
  readonly longPollMs?: number;
}

export async function startGatewayHarness(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const db = await freshDatabase({ migrate: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 12 });
  pool.on('error', () => undefined);
  const dataDir = tempDataDir();
  const engine = await startShapeEngine({
    pool,
    databaseUrl: db.url,
    dataDir,
    config: { ...TEST_SHAPE_CONFIG, secret: TEST_SECRET, longPollMs: options.longPollMs ?? 20_000 },
    log: silentLogger(),
    names: { slot: db.name },
  });
  await engine.ready;
  // The HTTP upstream needs the port, known after listen: it is made on first use.
  let url = '';
  let overHttp: ShapeUpstream | undefined;
  const upstream: ShapeUpstream | undefined =
    options.upstream === 'http'
      ? {
          get: (query, requestOptions) =>
            (overHttp ??= httpUpstream(url, TEST_SECRET)).get(query, requestOptions),
        }
      : undefined;
  const app = await buildApp({
    pool,
    migrations: await readMigrationFiles(MIGRATIONS_DIR),
    webDist: path.join(dataDir, 'no-web'),
    log: silentLogger(),
    rawRoutes: [engine.rawRoute],
    routes: [
      engine.routes,
      authRoutes({ pool, config: DEFAULT_AUTH_CONFIG }),
      mutationRoutes({ pool, resolveSession }),
      gatewayRoutes({
        pool,
        resolveSession,
        shapes: { api: engine.api, secret: TEST_SECRET },
        ...(upstream ? { upstream } : {}),
      }),
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    db,
    pool,
    app,
    url,
    engine,
    shapeUrl: (name) => `${url}${SHAPES_PATH}/${name}`,
    close: async () => {
      await app.close();
      await engine.stop();
      await pool.end();
      await dropTestSlot(db);
      await db.drop();
      removeDataDir(dataDir);
    },
  };
}

/** The Cookie header a browser signed in with this session token sends. */
export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${token}`;
}
