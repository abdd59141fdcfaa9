// The server's settings, read once from the environment and validated before anything starts.
// A bad value stops the boot with one line per variable that names it and says how to fix it.
// Paths: defaults sit under the repo root (`pnpm start` runs with cwd sync-server/, so cwd would be
// wrong); a relative path you set yourself resolves against the folder you typed the command in
// (pnpm's INIT_CWD), falling back to process.cwd().
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseAuthConfig, type AuthConfig } from './auth/config';
import { collabConfig, type CollabConfig } from './collab/config';
import { LOG_LEVELS, type LogLevel } from './log';

export const REPO_ROOT: string = fileURLToPath(new URL('../../', import.meta.url));

export const DEFAULT_EMBEDDED_PG_PORT = 54329;

export interface ShapeConfig {
  /** Electric-style API secret for the shape endpoint; unset = no secret required. */
  secret: string | undefined;
  chunkBytes: number;
  longPollMs: number;
  allowDelete: boolean;
}

export interface Config {
  port: number;
  host: string;
  /** Unset = run the embedded Postgres in `${dataDir}/pg`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: LogLevel;
  webDist: string;
  seedDemo: boolean;
  embeddedPg: {
    port: number;
    /** Set by the user: a busy port is an error instead of a fallback to a free one. */
    portExplicit: boolean;
  };
  shape: ShapeConfig;
  /** PUBLIC_URL, TRUST_PROXY, ALLOWED_ORIGINS, OIDC_PROVIDERS + OIDC_<NAME>_* (see auth/config). */
  auth: AuthConfig;
  /** ELECTRIC_URL (+ ELECTRIC_SECRET): the gateway serves shapes from this Electric, not the in-process engine. */
  electric?: { url: string; secret: string | undefined };
  /** COLLAB_* overrides of the collab rooms' defaults (collab/config); absent when none is set. */
  collab?: Partial<CollabConfig>;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export interface ConfigContext {
  repoRoot: string;
  /** Base for relative paths the user set. */
  cwd: string;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => TRUE_WORDS.includes(v) || FALSE_WORDS.includes(v))
  .transform((v) => TRUE_WORDS.includes(v));

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/)
    .transform(Number)
    .refine((n) => n >= min && n <= max);

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
});

/** Each variable: its schema and the fix we print when its value is bad. */
const variables = {
  PORT: {
    schema: integer(0, 65535),
    fix: 'use a whole number from 0 to 65535 (0 picks any free port), e.g. PORT=3000',
  },
  HOST: {
    schema: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/),
    fix: 'use an address or host name to listen on, e.g. HOST=127.0.0.1 (HOST=0.0.0.0 lets other devices connect)',
  },
  DATABASE_URL: {
    schema: postgresUrl,
    fix: 'use a Postgres URL like DATABASE_URL=postgres://user:password@host:5432/hearth, or unset it to run the embedded Postgres',
    secret: true,
  },
  DATA_DIR: { schema: z.string(), fix: 'use a folder path, e.g. DATA_DIR=.data' },
  LOG_LEVEL: {
    schema: z.enum(LOG_LEVELS),
    fix: `use one of ${LOG_LEVELS.join(', ')}, e.g. LOG_LEVEL=info`,
  },
  WEB_DIST: { schema: z.string(), fix: 'use the folder of the built web app, e.g. WEB_DIST=web/dist' },
  SEED_DEMO: { schema: boolean, fix: 'use true or false, e.g. SEED_DEMO=false' },
  EMBEDDED_PG_PORT: {
    schema: integer(1, 65535),
    fix: `use a whole number from 1 to 65535, e.g. EMBEDDED_PG_PORT=${DEFAULT_EMBEDDED_PG_PORT}`,
  },
  SHAPE_SECRET: {
    schema: z.string().min(16),
    fix: 'use a random string of at least 16 characters, e.g. SHAPE_SECRET=$(openssl rand -hex 32), or unset it',
    secret: true,
  },
  SHAPE_CHUNK_BYTES: {
    schema: integer(1024, 1024 * 1024 * 1024),
    fix: 'use a whole number of bytes from 1024 to 1073741824, e.g. SHAPE_CHUNK_BYTES=10485760 (10 MiB)',
  },
  SHAPE_LONG_POLL_MS: {
    schema: integer(100, 600_000),
    fix: 'use a whole number of milliseconds from 100 to 600000, e.g. SHAPE_LONG_POLL_MS=20000',
  },
  SHAPE_ALLOW_DELETE: { schema: boolean, fix: 'use true or false, e.g. SHAPE_ALLOW_DELETE=false' },
  ELECTRIC_URL: {
    schema: z.url({ protocol: /^https?$/ }),
    fix: 'use the base URL of an Electric service, e.g. ELECTRIC_URL=http://localhost:3001, or unset it to use the in-process engine',
  },
  ELECTRIC_SECRET: {
    schema: z.string().min(1),
    fix: "use the Electric service's API secret, e.g. ELECTRIC_SECRET=$ELECTRIC_API_SECRET, or unset it",
    secret: true,
  },
  COLLAB_MAX_MESSAGE_BYTES: {
    schema: integer(1024, 256 * 1024 * 1024),
    fix: 'use a whole number of bytes from 1024 to 268435456, e.g. COLLAB_MAX_MESSAGE_BYTES=4194304 (4 MiB)',
  },
  COLLAB_COMPACT_IDLE_MS: {
    schema: integer(10, 3_600_000),
    fix: 'use a whole number of milliseconds from 10 to 3600000, e.g. COLLAB_COMPACT_IDLE_MS=10000',
  },
  COLLAB_COMPACT_AFTER_UPDATES: {
    schema: integer(1, 1_000_000),
    fix: 'use a whole number from 1 to 1000000, e.g. COLLAB_COMPACT_AFTER_UPDATES=500',
  },
  COLLAB_COMPACT_AFTER_BYTES: {
    schema: integer(1, 1024 * 1024 * 1024),
    fix: 'use a whole number of bytes from 1 to 1073741824, e.g. COLLAB_COMPACT_AFTER_BYTES=1048576',
  },
  COLLAB_SLOW_CLIENT_BYTES: {
    schema: integer(64 * 1024, 1024 * 1024 * 1024),
    fix: 'use a whole number of bytes from 65536 to 1073741824, e.g. COLLAB_SLOW_CLIENT_BYTES=4194304 (4 MiB)',
  },
  COLLAB_TOO_SLOW_BYTES: {
    schema: integer(64 * 1024, 1024 * 1024 * 1024),
    fix: 'use a whole number of bytes from 65536 to 1073741824, e.g. COLLAB_TOO_SLOW_BYTES=16777216 (16 MiB)',
  },
} satisfies Record<string, { schema: z.ZodType; fix: string; secret?: boolean }>;

type Name = keyof typeof variables;
type Parsed = { [K in Name]: z.output<(typeof variables)[K]['schema']> | undefined };

/** Pure: the environment (and where paths resolve from) in, a Config or the list of problems out. */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  ctx: ConfigContext,
): ConfigResult {
  const errors: string[] = [];
  const parsed: Partial<Record<Name, unknown>> = {};
  for (const [name, spec] of Object.entries(variables) as [Name, (typeof variables)[Name]][]) {
    const raw = env[name];
    // An empty value counts as unset: `DATABASE_URL= pnpm start` means "no external database".
    if (raw === undefined || raw.trim() === '') continue;
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      parsed[name] = result.data;
    } else {
      const shown = 'secret' in spec && spec.secret ? '(hidden)' : JSON.stringify(raw);
      errors.push(`Invalid ${name}=${shown}: ${spec.fix}.`);
    }
  }
  const auth = parseAuthConfig(env);
  if (!auth.ok) errors.push(...auth.errors);
  if (errors.length > 0 || !auth.ok) return { ok: false, errors };

  const v = parsed as Parsed;
  const userPath = (value: string) => path.resolve(ctx.cwd, value);
  const databaseUrl = v.DATABASE_URL;
  const collab: Partial<CollabConfig> = {
    ...(v.COLLAB_MAX_MESSAGE_BYTES !== undefined ? { maxMessageBytes: v.COLLAB_MAX_MESSAGE_BYTES } : {}),
    ...(v.COLLAB_COMPACT_IDLE_MS !== undefined ? { compactIdleMs: v.COLLAB_COMPACT_IDLE_MS } : {}),
    ...(v.COLLAB_COMPACT_AFTER_UPDATES !== undefined
      ? { compactAfterUpdates: v.COLLAB_COMPACT_AFTER_UPDATES }
      : {}),
    ...(v.COLLAB_COMPACT_AFTER_BYTES !== undefined
      ? { compactAfterBytes: v.COLLAB_COMPACT_AFTER_BYTES }
      : {}),
    ...(v.COLLAB_SLOW_CLIENT_BYTES !== undefined ? { slowClientBytes: v.COLLAB_SLOW_CLIENT_BYTES } : {}),
    ...(v.COLLAB_TOO_SLOW_BYTES !== undefined ? { tooSlowBytes: v.COLLAB_TOO_SLOW_BYTES } : {}),
  };
  // CO14: presence stops for a slow reader before it is closed, never after.
  const { slowClientBytes, tooSlowBytes } = collabConfig(collab);
  if (slowClientBytes >= tooSlowBytes)
    return {
      ok: false,
      errors: [
        `COLLAB_SLOW_CLIENT_BYTES (${slowClientBytes}) must be below COLLAB_TOO_SLOW_BYTES (${tooSlowBytes}): ` +
          'a slow reader stops getting presence first and is closed only past the second, ' +
          'e.g. COLLAB_SLOW_CLIENT_BYTES=4194304 COLLAB_TOO_SLOW_BYTES=16777216.',
      ],
    };
  return {
    ok: true,
    config: {
      port: v.PORT ?? 3000,
      host: v.HOST ?? '127.0.0.1',
      databaseUrl,
      dataDir: v.DATA_DIR !== undefined ? userPath(v.DATA_DIR) : path.join(ctx.repoRoot, '.data'),
      logLevel: v.LOG_LEVEL ?? 'info',
      webDist: v.WEB_DIST !== undefined ? userPath(v.WEB_DIST) : path.join(ctx.repoRoot, 'web', 'dist'),
      // Demo data is for the embedded database you just started; an external one opts in explicitly.
      seedDemo: v.SEED_DEMO ?? databaseUrl === undefined,
      embeddedPg: {
        port: v.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PG_PORT,
        portExplicit: v.EMBEDDED_PG_PORT !== undefined,
      },
      shape: {
        secret: v.SHAPE_SECRET,
        chunkBytes: v.SHAPE_CHUNK_BYTES ?? 10 * 1024 * 1024,
        longPollMs: v.SHAPE_LONG_POLL_MS ?? 20_000,
        allowDelete: v.SHAPE_ALLOW_DELETE ?? false,
      },
      auth: auth.config,
      ...(v.ELECTRIC_URL !== undefined
        ? { electric: { url: v.ELECTRIC_URL, secret: v.ELECTRIC_SECRET } }
        : {}),
      ...(Object.keys(collab).length > 0 ? { collab } : {}),
    },
  };
}

/** The real process environment, with paths resolved as the header says. */
export function configFromProcess(): ConfigResult {
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return parseConfig(process.env, { repoRoot: REPO_ROOT, cwd });
}
