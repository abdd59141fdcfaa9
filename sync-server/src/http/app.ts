// The HTTP server: /healthz, the JSON error shape, and the built web app on the same origin
// (SPA fallback for page navigations; API prefixes and missing assets get a JSON 404).
// Feature routes (/v1/shape, /api/…, /collab) register through `routes` before it listens; the
// hottest one may also take requests off node:http ahead of Fastify (`rawRoutes`).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type pg from 'pg';
import { ErrorCode, type ErrorBody } from '@hearth/schema/errors';
import type { MigrationFile } from '../db/migrations';
import type { Logger } from '../log';
import { errorHandler } from './errors';
import { checkHealth } from './health';

/** Paths that belong to the server: never answered with the web app. */
export const SERVER_PREFIXES = ['/api', '/v1', '/healthz', '/collab'] as const;

export const NO_CACHE = 'no-cache';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface AppOptions {
  pool: pg.Pool;
  /** The migrations this code ships: /healthz is ready only when all are applied. */
  migrations: readonly MigrationFile[];
  webDist: string;
  log: Logger;
  routes?: readonly ((app: FastifyInstance) => Promise<void> | void)[];
  /**
   * Handlers that see each request before Fastify and take the ones they serve (GET /v1/shape,
   * engine SE63): no Fastify request, reply, routing or hooks for them.
   */
  rawRoutes?: readonly RawRoute[];
  /** Milliseconds a closing server waits for busy connections before it closes them (HT10); 5,000. */
  closeGraceMs?: number;
}

/** Takes a request it serves (true) or leaves it to the next handler (false). */
export type RawRoute = (request: http.IncomingMessage, response: http.ServerResponse) => boolean;

/**
 * Fastify's own HTTP/1 server with the raw routes in front; the timeouts set as Fastify sets them on
 * the server it makes itself.
 */
function serverWith(rawRoutes: readonly RawRoute[]) {
  return (
    fastifyHandler: http.RequestListener,
    options: { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number },
  ): http.Server => {
    const server = http.createServer((request, response) => {
      for (const route of rawRoutes) if (route(request, response)) return;
      fastifyHandler(request, response);
    });
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    server.setTimeout(options.connectionTimeout ?? 0);
    return server;
  };
}

export function isServerPath(urlPath: string): boolean {
  return SERVER_PREFIXES.some((prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`));
}

/** A page the SPA renders: GET/HEAD, outside the server's prefixes, no file extension. */
export function isNavigation(method: string, urlPath: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (isServerPath(urlPath)) return false;
  const lastSegment = urlPath.slice(urlPath.lastIndexOf('/') + 1);
  return !lastSegment.includes('.');
}

/** Vite's hashed output lives in assets/; the shell and the service worker must revalidate. */
export function cacheControlFor(relativePath: string): string {
  const normalized = relativePath.split(path.sep).join('/').replace(/^\/+/, '');
  return normalized.startsWith('assets/') ? IMMUTABLE : NO_CACHE;
}

/** How often, while the server closes, connections gone idle are closed (HT9). */
const REAP_EVERY_MS = 50;
const CLOSE_GRACE_MS = 5_000;

/**
 * HT9: close() must not wait out keep-alive. `server.close()` closes the connections idle at that
 * moment only; a held long poll answered 503 during shutdown, or an SSE stream it ended, leaves
 * its connection idle afterwards, and close() would wait the keep-alive timeout (72 s) for it.
 * HT10: nor wait for ever on a connection node:http never sees idle again (a client that stopped
 * halfway through a request, or one the revocation test leaves behind): past the grace period every
 * connection left is closed, whatever it is doing.
 */
function reapConnectionsWhileClosing(app: FastifyInstance, graceMs: number): void {
  let reaper: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    const deadline = Date.now() + graceMs;
    reaper = setInterval(() => {
      if (Date.now() >= deadline) app.server.closeAllConnections();
      else app.server.closeIdleConnections();
    }, REAP_EVERY_MS);
    reaper.unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(reaper);
    done();
  });
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { log, webDist } = options;
  // Widened so the instance has Fastify's default logger type, which feature routes are written against.
  const logger: FastifyBaseLogger = log;
  const rawRoutes = options.rawRoutes ?? [];
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    ...(rawRoutes.length > 0 ? { serverFactory: serverWith(rawRoutes) } : {}),
  });
  app.setErrorHandler(errorHandler);
  reapConnectionsWhileClosing(app, options.closeGraceMs ?? CLOSE_GRACE_MS);

  app.get('/healthz', async (_request, reply) => {
    const health = await checkHealth(options.pool, options.migrations);
    void reply.header('cache-control', 'no-store');
    if (health.ok) return { status: 'ok', database: 'ok', migrations: health.migrations };
    return reply.code(503).send({
      status: 'unavailable',
      code: ErrorCode.unavailable,
      message: health.message,
      database: health.database,
      migrations: health.migrations,
    });
  });

  for (const register of options.routes ?? []) await register(app);

  const webBuilt = fs.existsSync(path.join(webDist, 'index.html'));
  if (webBuilt) {
    await app.register(fastifyStatic, {
      root: webDist,
      cacheControl: false,
      setHeaders: (reply, filePath) => {
        void reply.header('cache-control', cacheControlFor(path.relative(webDist, filePath)));
      },
    });
  } else {
    log.warn(
      { webDist },
      `The web app is not built (no ${path.join(webDist, 'index.html')}). Run \`pnpm build\` in the repo root, then restart.`,
    );
  }

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split('?')[0] ?? '/';
    if (isNavigation(request.method, urlPath)) {
      if (webBuilt) return reply.sendFile('index.html');
      const body: ErrorBody = {
        code: ErrorCode.webNotBuilt,
        message: 'The web app is not built yet. Run `pnpm build` in the repo root, then restart Hearth.',
      };
      return reply.code(503).header('cache-control', 'no-store').send(body);
    }
    const body: ErrorBody = {
      code: ErrorCode.notFound,
      message: `Nothing here: ${request.method} ${urlPath}`,
    };
    return reply.code(404).send(body);
  });

  return app;
}
