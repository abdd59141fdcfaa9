// Starts the shape engine for a Hearth process: the disk store under DATA_DIR/shapes, the engine over
// one replication stream, and the routes of /v1/shape and /v1/health. The stream starts in the
// background, so the routes answer (health `starting`, shapes 503) before it streams.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { syncedTables } from '@hearth/schema/catalogue';
import type { ShapeConfig } from '../../config';
import type { Logger } from '../../log';
import { ShapeApi, type ShapeApiOptions } from '../http/shape-api';
import type { RawRoute } from '../../http/app';
import { rawShapeRoute } from '../http/raw-shape-route';
import { registerShapeRoutes } from '../http/shape-routes';
import type { ReplicationNames } from '../replication/setup';
import { DiskShapeLogStore } from '../storage/disk-store';
import type { ShapeLogStore } from '../storage/store';
import { ShapeEngine, type ShapeEngineOptions } from './shape-engine';

export interface StartShapeEngineOptions {
  readonly pool: pg.Pool;
  readonly databaseUrl: string;
  /** The replication connection over TCP when `databaseUrl` is a Unix socket (see ShapeEngineOptions). */
  readonly replicationUrl?: string;
  readonly dataDir: string;
  readonly config: ShapeConfig;
  readonly log: Logger;
  /** Publication and slot names; the slot name is cluster-wide (give each database its own). */
  readonly names?: Partial<ReplicationNames>;
  /** Shapes kept on disk before idle ones are evicted; default unlimited. */
  readonly maxShapes?: number;
  /** Another store (tests); default the disk store in `${dataDir}/shapes`. */
  readonly store?: ShapeLogStore;
  readonly engine?: Partial<
    Pick<ShapeEngineOptions, 'snapshotConnections' | 'maxPendingCreations' | 'tables' | 'snapshotBatchSize'>
  >;
  readonly http?: Partial<Omit<ShapeApiOptions, 'engine' | 'config'>>;
}

export interface RunningShapeEngine {
  readonly engine: ShapeEngine;
  /** Resolves once the stream runs (`/v1/health` active); rejects if the engine cannot start. */
  readonly ready: Promise<void>;
  /** The Shape API itself, for in-process callers (the gateway). */
  readonly api: ShapeApi;
  /** Register on the Fastify app (`buildApp({ routes: [engine.routes] })`). */
  readonly routes: (app: FastifyInstance) => Promise<void>;
  /** GET /v1/shape ahead of Fastify (`buildApp({ rawRoutes: [engine.rawRoute] })`, SE63). */
  readonly rawRoute: RawRoute;
  stop(): Promise<void>;
}

export async function startShapeEngine(options: StartShapeEngineOptions): Promise<RunningShapeEngine> {
  const store =
    options.store ??
    (await DiskShapeLogStore.open({
      dataDir: options.dataDir,
      chunkBytes: options.config.chunkBytes,
      ...(options.maxShapes !== undefined ? { maxShapes: options.maxShapes } : {}),
    }));
  const engine = new ShapeEngine({
    pool: options.pool,
    databaseUrl: options.databaseUrl,
    ...(options.replicationUrl !== undefined ? { replicationUrl: options.replicationUrl } : {}),
    store,
    log: options.log,
    tables: syncedTables.map((t) => ({ name: t.name })),
    ...(options.names ? { names: options.names } : {}),
    ...options.engine,
  });
  const ready = engine.start();
  ready.catch((error: unknown) => options.log.error({ err: error }, 'the shape engine could not start'));
  const api = new ShapeApi({ engine, config: options.config, ...options.http });
  return {
    engine,
    ready,
    api,
    routes: (app) => registerShapeRoutes(app, api),
    rawRoute: rawShapeRoute(api, options.log),
    stop: () => engine.stop(),
  };
}
