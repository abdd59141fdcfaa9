import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, REPO_ROOT, type Config, type ConfigResult } from './config';

const ctx = { repoRoot: '/srv/hearth', cwd: '/home/ana/work' };

function ok(result: ConfigResult): Config {
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}
function errors(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('parseConfig', () => {
  it('[CF1] defaults: embedded Postgres, data and web build under the repo root, demo data on', () => {
    expect(ok(parseConfig({}, ctx))).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '/srv/hearth/.data',
      logLevel: 'info',
      webDist: '/srv/hearth/web/dist',
      seedDemo: true,
      embeddedPg: { port: 54329, portExplicit: false },
      shape: { secret: undefined, chunkBytes: 10485760, longPollMs: 20000, allowDelete: false },
      auth: { publicUrl: undefined, trustProxy: false, allowedOrigins: [], dev: false, oidcProviders: [] },
    } satisfies Config);
  });

  it('[CF1] the repo root is the folder holding sync-server/', () => {
    expect(path.join(REPO_ROOT, 'sync-server', 'src')).toBe(path.dirname(new URL(import.meta.url).pathname));
  });

  it('[CF2] relative paths you set resolve against the folder you ran the command in', () => {
    const config = ok(parseConfig({ DATA_DIR: 'my-data', WEB_DIST: '../web-build' }, ctx));
    expect(config.dataDir).toBe('/home/ana/work/my-data');
    expect(config.webDist).toBe('/home/ana/web-build');
    expect(ok(parseConfig({ DATA_DIR: '/var/lib/hearth' }, ctx)).dataDir).toBe('/var/lib/hearth');
  });

  it('[CF3] reads every variable', () => {
    const config = ok(
      parseConfig(
        {
          PORT: '8080',
          HOST: '0.0.0.0',
          DATABASE_URL: 'postgres://app:pw@db:5432/hearth',
          LOG_LEVEL: 'debug',
          SEED_DEMO: 'yes',
          EMBEDDED_PG_PORT: '6000',
          SHAPE_SECRET: 'a-very-long-secret-value',
          SHAPE_CHUNK_BYTES: '2048',
          SHAPE_LONG_POLL_MS: '500',
          SHAPE_ALLOW_DELETE: 'TRUE',
        },
        ctx,
      ),
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://app:pw@db:5432/hearth',
      logLevel: 'debug',
      seedDemo: true,
      embeddedPg: { port: 6000, portExplicit: true },
      shape: { secret: 'a-very-long-secret-value', chunkBytes: 2048, longPollMs: 500, allowDelete: true },
    });
  });

  it('[CF4] demo data defaults to off for an external database, and can be switched either way', () => {
    expect(ok(parseConfig({ DATABASE_URL: 'postgres://db/hearth' }, ctx)).seedDemo).toBe(false);
    expect(ok(parseConfig({ DATABASE_URL: 'postgres://db/hearth', SEED_DEMO: 'true' }, ctx)).seedDemo).toBe(
      true,
    );
    expect(ok(parseConfig({ SEED_DEMO: 'off' }, ctx)).seedDemo).toBe(false);
  });

  it('[CF5] an empty value counts as unset', () => {
    expect(ok(parseConfig({ DATABASE_URL: '', PORT: ' ' }, ctx))).toMatchObject({
      databaseUrl: undefined,
      port: 3000,
    });
  });

  it('[CF6] a bad value gives one line that names the variable, the value and the fix', () => {
    expect(errors(parseConfig({ PORT: 'abc' }, ctx))).toEqual([
      'Invalid PORT="abc": use a whole number from 0 to 65535 (0 picks any free port), e.g. PORT=3000.',
    ]);
    const cases: Record<string, string> = {
      PORT: '70000',
      HOST: 'bad host',
      LOG_LEVEL: 'loud',
      SEED_DEMO: 'maybe',
      EMBEDDED_PG_PORT: '0',
      SHAPE_CHUNK_BYTES: '10',
      SHAPE_LONG_POLL_MS: '1.5',
      SHAPE_ALLOW_DELETE: '2',
    };
    for (const [name, value] of Object.entries(cases)) {
      const [line, ...rest] = errors(parseConfig({ [name]: value }, ctx));
      expect(rest).toEqual([]);
      expect(line).toMatch(
        new RegExp(`^Invalid ${name}="${value.replace('.', '\\.')}": .+, e\\.g\\. ${name}=`),
      );
    }
  });

  it('[CF6] every bad variable is reported at once', () => {
    const lines = errors(parseConfig({ PORT: '-1', LOG_LEVEL: 'x', SEED_DEMO: 'x' }, ctx));
    expect(lines.map((l) => l.split('=')[0])).toEqual([
      'Invalid PORT',
      'Invalid LOG_LEVEL',
      'Invalid SEED_DEMO',
    ]);
  });

  it('[CF7] secrets are never echoed back', () => {
    const lines = errors(
      parseConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x', SHAPE_SECRET: 'short' }, ctx),
    );
    expect(lines).toEqual([
      expect.stringMatching(
        /^Invalid DATABASE_URL=\(hidden\): use a Postgres URL like DATABASE_URL=postgres:\/\//,
      ),
      expect.stringMatching(
        /^Invalid SHAPE_SECRET=\(hidden\): use a random string of at least 16 characters/,
      ),
    ]);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('[CF8] COLLAB_* override the collab limits, and presence stops for a slow reader before it is closed', () => {
    const config = ok(
      parseConfig(
        {
          COLLAB_MAX_MESSAGE_BYTES: '2048',
          COLLAB_COMPACT_IDLE_MS: '50',
          COLLAB_COMPACT_AFTER_UPDATES: '7',
          COLLAB_COMPACT_AFTER_BYTES: '4096',
          COLLAB_SLOW_CLIENT_BYTES: '1048576',
          COLLAB_TOO_SLOW_BYTES: '2097152',
        },
        ctx,
      ),
    );
    expect(config.collab).toEqual({
      maxMessageBytes: 2048,
      compactIdleMs: 50,
      compactAfterUpdates: 7,
      compactAfterBytes: 4096,
      slowClientBytes: 1048576,
      tooSlowBytes: 2097152,
    });
    expect(errors(parseConfig({ COLLAB_SLOW_CLIENT_BYTES: '33554432' }, ctx))).toEqual([
      expect.stringMatching(
        /^COLLAB_SLOW_CLIENT_BYTES \(33554432\) must be below COLLAB_TOO_SLOW_BYTES \(16777216\)/,
      ),
    ]);
  });
});
