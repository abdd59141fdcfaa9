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
import { dropSlot } from '../replication/setup';
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
