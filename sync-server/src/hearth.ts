// Boots one Hearth in this process: lock DATA_DIR -> Postgres (embedded, or the external one checked)
// -> migrate -> demo data (first start) -> HTTP. `stop()` undoes it in reverse. main.ts adds only the
// process concerns (env, signals, exit codes); tests call startHearth directly.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import type { Config } from './config';
import { startEmbeddedPostgres, isPortFree } from './db/embedded';
import { acquireInstanceLock } from './db/lock';
import { migrate } from './db/migrations';
import { preflight } from './db/preflight';
import { authRoutes, resolveSession } from './auth';
import { startShapeEngine } from './electric/engine/start';
import { buildApp } from './http/app';
import { collabConfig } from './collab/config';
import { startCollab } from './collab/routes';
import { COLLAB_CHANNELS } from './collab/notifications';
import { watchDatabase } from './db/watch';
import { SESSION_CACHE_CHANNELS } from './auth/session-cache';
import type { Logger } from './log';
import { seedDemoIfEmpty, type SeedSummary } from './seed/seed';
import { gatewayRoutes } from './gateway/routes';
import { gatheringRoutes } from './gatherings/routes';
import { mutationRoutes } from './writes/routes';
import { loadOrCreateShapeSecret } from './shape-secret';

export class PortInUseError extends Error {
  readonly code = ErrorCode.portInUse;
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `PORT ${port} is already in use on ${host}. Stop the program using it, ` +
        `or set PORT to a free port (e.g. PORT=${port === 65535 ? 3001 : port + 1}).`,
    );
  }
}

export interface Hearth {
  url: string;
  port: number;
  /** Where the data lives; the embedded one's superuser URL, or DATABASE_URL. */
  databaseUrl: string;
  embedded: boolean;
  /** What the demo seed wrote on this start; null when it did not run (not first start, or off). */
  seeded: SeedSummary | null;
  app: FastifyInstance;
  pool: pg.Pool;
  /** What trusted callers of /v1/shape must send as `secret` (SHAPE_SECRET, or the one made for DATA_DIR). */
  shapeSecret: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /** Something Hearth depends on died while running (the embedded Postgres). */
  onFatal?: (error: Error) => void;
  /** Feature routes to register before listening (see http/app). */
  routes?: readonly ((app: FastifyInstance) => Promise<void> | void)[];
}

export async function startHearth(config: Config, options: StartOptions): Promise<Hearth> {
  const { log } = options;
  // Undo steps, run in reverse by stop() or when a later step fails.
  const undo: (() => Promise<void> | void)[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        log.error({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    const lock = acquireInstanceLock(config.dataDir);
    undo.push(() => lock.release());
    if (lock.tookOverStale) {
      log.warn({ stale: lock.tookOverStale }, 'took over the lock of a Hearth that did not stop cleanly');
    }

    // Fail before starting Postgres when the HTTP port is taken: it is the cheaper check.
    if (config.port !== 0 && !(await isPortFree(config.port, config.host))) {
      throw new PortInUseError(config.host, config.port);
    }

    let databaseUrl: string;
    // The embedded one's replication stream goes over TCP (ShapeEngineOptions.replicationUrl says why).
    let replicationUrl: string | undefined;
    if (config.databaseUrl === undefined) {
      const postgres = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPg.port,
        portExplicit: config.embeddedPg.portExplicit,
        log,
        onUnexpectedExit: (detail) =>
          options.onFatal?.(new Error(`The embedded Postgres stopped: ${detail}.`)),
      });
      undo.push(() => postgres.stop());
      databaseUrl = postgres.url;
      replicationUrl = postgres.tcpUrl;
    } else {
      const facts = await preflight(config.databaseUrl);
      log.info({ serverVersion: facts.serverVersion }, 'external Postgres passed the checks');
      databaseUrl = config.databaseUrl;
    }

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5000 });
    // An idle client dropped by the server (restart, Ctrl-C reaching Postgres first) must not crash us.
    pool.on('error', (error) => log.warn({ err: error }, 'idle database connection failed'));
    undo.push(() => pool.end());

    const { files, applied, total } = await migrate(pool, MIGRATIONS_DIR, log);
    log.info({ applied: applied.length, total }, 'database is migrated');

    const seeded = config.seedDemo ? await seedDemoIfEmpty(pool, log) : null;

    // The shape engine: logical replication into shape logs under DATA_DIR, served at /v1/shape.
    const shapeSecret = config.shape.secret ?? loadOrCreateShapeSecret(config.dataDir);
    const shapes = await startShapeEngine({
      pool,
      databaseUrl,
      ...(replicationUrl !== undefined ? { replicationUrl } : {}),
      dataDir: config.dataDir,
      config: { ...config.shape, secret: shapeSecret },
      log,
    });
    // Pushed before app.close, so it runs after the HTTP server stopped holding live requests.
    undo.push(() => shapes.stop());
    // Replication must be streaming before we say we are up: a broken slot fails the boot, loudly.
    await shapes.ready;

    // One LISTEN connection for collab (authors, sessions) and the session cache; stopped after both.
    const watch = await watchDatabase({
      databaseUrl,
      log,
      channels: [...COLLAB_CHANNELS, ...SESSION_CACHE_CHANNELS],
    });
    undo.push(() => watch.stop());

    // Collab rooms (/collab/<draftId>): stopped after the HTTP server (their sockets are closed by
    // then) and before the pool, so every room stores what it holds.
    const collab = await startCollab({
      pool,
      databaseUrl,
      watch,
      config: collabConfig(config.collab),
      auth: config.auth,
      log,
    });
    undo.push(() => collab.stop());

    const app = await buildApp({
      pool,
      migrations: files,
      webDist: config.webDist,
      log,
      rawRoutes: [shapes.rawRoute],
      routes: [
        shapes.routes,
        authRoutes({ pool, config: config.auth, watch }),
        mutationRoutes({ pool, resolveSession }),
        gatewayRoutes({
          pool,
          resolveSession,
          shapes: { api: shapes.api, secret: shapeSecret },
          electric: config.electric,
        }),
        gatheringRoutes({ pool, resolveSession }),
        collab.routes,
        ...(options.routes ?? []),
      ],
    });
    undo.push(() => app.close());
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new PortInUseError(config.host, config.port);
      throw error;
    }
    const address = app.server.address() as net.AddressInfo;
    return {
      url: publicUrl(config.host, address.port),
      port: address.port,
      databaseUrl,
      embedded: config.databaseUrl === undefined,
      seeded,
      app,
      pool,
      shapeSecret,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The URL a person can open: a wildcard bind is reachable at localhost. */
export function publicUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : net.isIPv6(host) ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
