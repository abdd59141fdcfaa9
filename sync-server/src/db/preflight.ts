// Checks an external Postgres (DATABASE_URL) before Hearth uses it: reachable, logged in, version 15+,
// logical replication on. A pure decision over probed facts, and a thin probe that gathers them.
import pg from 'pg';
import { ErrorCode } from '@hearth/schema/errors';

export const MIN_SERVER_VERSION_NUM = 150000;

export interface ServerAddress {
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface ServerFacts {
  serverVersionNum: number;
  serverVersion: string;
  walLevel: string;
  maxReplicationSlots: number;
  maxWalSenders: number;
}

export type Probe =
  | { reachable: true; address: ServerAddress; facts: ServerFacts }
  /** `errorCode`: a Node errno (ECONNREFUSED…), a SQLSTATE (28P01…), or 'timeout'. */
  | { reachable: false; address: ServerAddress; errorCode: string | undefined; detail: string };

/** Which check failed; `code` (schema's ErrorCode) is the coarse, public part. */
export const PREFLIGHT_CHECKS = {
  reachable: 'reachable',
  login: 'login',
  database: 'database',
  version: 'version',
  walLevel: 'wal_level',
  replicationSlots: 'replication_slots',
} as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[keyof typeof PREFLIGHT_CHECKS];

export interface PreflightProblem {
  code: ErrorCode;
  check: PreflightCheck;
  message: string;
}

export type PreflightDecision = { ok: true } | { ok: false; problems: PreflightProblem[] };

export class PreflightError extends Error {
  readonly code: ErrorCode;
  constructor(readonly problems: readonly [PreflightProblem, ...PreflightProblem[]]) {
    super(problems.map((p) => p.message).join('\n'));
    this.code = problems[0].code;
  }
}

const EMBEDDED_HINT = 'or unset DATABASE_URL to use the embedded Postgres';

/** Pure: what the probe found -> ok, or every problem with its fix (so one restart fixes them all). */
export function decidePreflight(probe: Probe): PreflightDecision {
  const where = `${probe.address.host}:${probe.address.port}`;
  if (!probe.reachable) return { ok: false, problems: [connectionProblem(probe, where)] };

  const { facts } = probe;
  const problems: PreflightProblem[] = [];
  if (facts.serverVersionNum < MIN_SERVER_VERSION_NUM) {
    problems.push({
      code: ErrorCode.postgresTooOld,
      check: PREFLIGHT_CHECKS.version,
      message:
        `Postgres at ${where} is version ${facts.serverVersion}; Hearth needs Postgres 15 or newer. ` +
        `Upgrade it, ${EMBEDDED_HINT} (Postgres 18).`,
    });
  }
  if (facts.walLevel !== 'logical') {
    problems.push({
      code: ErrorCode.walLevelNotLogical,
      check: PREFLIGHT_CHECKS.walLevel,
      message:
        `Postgres at ${where} has wal_level=${facts.walLevel}; Hearth syncs through logical replication and ` +
        'needs wal_level=logical. Run `ALTER SYSTEM SET wal_level = logical;` and restart Postgres ' +
        '(or start it with `-c wal_level=logical`).',
    });
  }
  if (facts.maxReplicationSlots < 1 || facts.maxWalSenders < 1) {
    problems.push({
      code: ErrorCode.walLevelNotLogical,
      check: PREFLIGHT_CHECKS.replicationSlots,
      message:
        `Postgres at ${where} has max_replication_slots=${facts.maxReplicationSlots} and ` +
        `max_wal_senders=${facts.maxWalSenders}; Hearth needs at least 1 of each. Run ` +
        '`ALTER SYSTEM SET max_replication_slots = 10; ALTER SYSTEM SET max_wal_senders = 10;` and restart Postgres.',
    });
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function connectionProblem(probe: Extract<Probe, { reachable: false }>, where: string): PreflightProblem {
  const { address, errorCode, detail } = probe;
  switch (errorCode) {
    case 'ECONNREFUSED':
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.reachable,
        message:
          `Cannot reach Postgres at ${where}: connection refused. Start Postgres there, fix the host and port ` +
          `in DATABASE_URL, ${EMBEDDED_HINT}.`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.reachable,
        message: `Cannot reach Postgres at ${where}: host "${address.host}" not found. Fix the host in DATABASE_URL, ${EMBEDDED_HINT}.`,
      };
    case 'timeout':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.reachable,
        message:
          `Cannot reach Postgres at ${where}: no answer (${detail}). Check the host, port and firewall ` +
          `in front of it, ${EMBEDDED_HINT}.`,
      };
    case '28P01':
    case '28000':
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.login,
        message:
          `Postgres at ${where} refused the login of user "${address.user}" (${detail}). ` +
          'Fix the user name and password in DATABASE_URL.',
      };
    case '3D000':
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.database,
        message:
          `Postgres at ${where} has no database "${address.database}". Create it ` +
          `(\`createdb -h ${address.host} -p ${address.port} -U ${address.user} ${address.database}\`) ` +
          'or fix the database name in DATABASE_URL.',
      };
    default:
      return {
        code: ErrorCode.databaseUnreachable,
        check: PREFLIGHT_CHECKS.reachable,
        message: `Cannot connect to Postgres at ${where}: ${detail}. Check DATABASE_URL, ${EMBEDDED_HINT}.`,
      };
  }
}

export function addressOf(databaseUrl: string): ServerAddress {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname,
    port: url.port === '' ? 5432 : Number(url.port),
    database:
      decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
    user: decodeURIComponent(url.username) || 'postgres',
  };
}

/** IO: connect once and read the settings the decision needs. Never throws for connection errors. */
export async function probePostgres(databaseUrl: string, timeoutMs = 5000): Promise<Probe> {
  const address = addressOf(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a dropped probe connection is reported by the awaited call
  try {
    await client.connect();
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    const timedOut = /timeout/i.test(message) && code === undefined;
    return { reachable: false, address, errorCode: timedOut ? 'timeout' : code, detail: message };
  }
  try {
    const { rows } = await client.query<{
      server_version_num: string;
      server_version: string;
      wal_level: string;
      max_replication_slots: string;
      max_wal_senders: string;
    }>(
      `select current_setting('server_version_num') as server_version_num,
              current_setting('server_version') as server_version,
              current_setting('wal_level') as wal_level,
              current_setting('max_replication_slots') as max_replication_slots,
              current_setting('max_wal_senders') as max_wal_senders`,
    );
    const row = rows[0]!;
    return {
      reachable: true,
      address,
      facts: {
        serverVersionNum: Number(row.server_version_num),
        serverVersion: row.server_version,
        walLevel: row.wal_level,
        maxReplicationSlots: Number(row.max_replication_slots),
        maxWalSenders: Number(row.max_wal_senders),
      },
    };
  } finally {
    await client.end();
  }
}

/** Probe + decide; throws PreflightError with every problem found. */
export async function preflight(databaseUrl: string): Promise<ServerFacts> {
  const probe = await probePostgres(databaseUrl);
  const decision = decidePreflight(probe);
  if (!decision.ok) throw new PreflightError(decision.problems as [PreflightProblem, ...PreflightProblem[]]);
  if (!probe.reachable) throw new Error('unreachable probe decided ok'); // narrowing; decide rules this out
  return probe.facts;
}
