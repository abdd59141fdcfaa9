import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { addressOf, decidePreflight, PREFLIGHT_CHECKS, type Probe, type ServerFacts } from './preflight';

const address = { host: 'db.example.org', port: 6543, database: 'hearth', user: 'app' };
const healthy: ServerFacts = {
  serverVersionNum: 170002,
  serverVersion: '17.2',
  walLevel: 'logical',
  maxReplicationSlots: 10,
  maxWalSenders: 10,
};
const reachable = (facts: Partial<ServerFacts>): Probe => ({
  reachable: true,
  address,
  facts: { ...healthy, ...facts },
});
const unreachable = (errorCode: string | undefined, detail = 'boom'): Probe => ({
  reachable: false,
  address,
  errorCode,
  detail,
});

function problems(probe: Probe) {
  const decision = decidePreflight(probe);
  if (decision.ok) throw new Error('expected problems');
  return decision.problems;
}

describe('decidePreflight', () => {
  it('[PF0] accepts Postgres 15+ with logical replication', () => {
    expect(decidePreflight(reachable({}))).toEqual({ ok: true });
    expect(decidePreflight(reachable({ serverVersionNum: 150000, serverVersion: '15.0' }))).toEqual({
      ok: true,
    });
  });

  it('[PF1] an unreachable server names host:port and how to fix DATABASE_URL', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'timeout', 'EHOSTUNREACH', undefined]) {
      const [problem] = problems(unreachable(code));
      expect(problem?.check).toBe(PREFLIGHT_CHECKS.reachable);
      expect(problem?.code).toBe(ErrorCode.databaseUnreachable);
      expect(problem?.message).toContain('db.example.org:6543');
      expect(problem?.message).toContain('DATABASE_URL');
      expect(problem?.message).toContain('unset DATABASE_URL to use the embedded Postgres');
    }
    expect(problems(unreachable('ECONNREFUSED'))[0]?.message).toContain('connection refused');
    expect(problems(unreachable('ENOTFOUND'))[0]?.message).toContain('host "db.example.org" not found');
  });

  it('[PF2] a refused login names the user and points at the credentials', () => {
    const [problem] = problems(unreachable('28P01', 'password authentication failed for user "app"'));
    expect(problem?.check).toBe(PREFLIGHT_CHECKS.login);
    expect(problem?.message).toContain('user "app"');
    expect(problem?.message).toContain('Fix the user name and password in DATABASE_URL');
  });

  it('[PF3] a missing database says how to create it', () => {
    const [problem] = problems(unreachable('3D000'));
    expect(problem?.check).toBe(PREFLIGHT_CHECKS.database);
    expect(problem?.message).toContain('createdb -h db.example.org -p 6543 -U app hearth');
  });

  it('[PF4] wal_level other than logical names the setting and both fixes', () => {
    const [problem] = problems(reachable({ walLevel: 'replica' }));
    expect(problem?.check).toBe(PREFLIGHT_CHECKS.walLevel);
    expect(problem?.code).toBe(ErrorCode.walLevelNotLogical);
    expect(problem?.message).toContain('wal_level=replica');
    expect(problem?.message).toContain('ALTER SYSTEM SET wal_level = logical');
    expect(problem?.message).toContain('-c wal_level=logical');
  });

  it('[PF5] a server older than 15 is refused with its version', () => {
    const [problem] = problems(reachable({ serverVersionNum: 140011, serverVersion: '14.11' }));
    expect(problem?.check).toBe(PREFLIGHT_CHECKS.version);
    expect(problem?.code).toBe(ErrorCode.postgresTooOld);
    expect(problem?.message).toContain('version 14.11; Hearth needs Postgres 15 or newer');
  });

  it('[PF6] replication slots or WAL senders switched off are refused', () => {
    const [problem] = problems(reachable({ maxReplicationSlots: 0 }));
    expect(problem?.check).toBe(PREFLIGHT_CHECKS.replicationSlots);
    expect(problem?.message).toContain('max_replication_slots=0');
    expect(problems(reachable({ maxWalSenders: 0 }))[0]?.check).toBe(PREFLIGHT_CHECKS.replicationSlots);
  });

  it('[PF7] every problem is reported at once, so one restart fixes them all', () => {
    const found = problems(
      reachable({ serverVersionNum: 140000, serverVersion: '14.0', walLevel: 'minimal' }),
    );
    expect(found.map((p) => p.check)).toEqual([PREFLIGHT_CHECKS.version, PREFLIGHT_CHECKS.walLevel]);
  });
});

describe('addressOf', () => {
  it('[PF1] reads host, port, database and user from the URL with libpq defaults', () => {
    expect(addressOf('postgres://app:secret@db.example.org:6543/hearth')).toEqual(address);
    expect(addressOf('postgresql://alice@localhost')).toEqual({
      host: 'localhost',
      port: 5432,
      database: 'alice',
      user: 'alice',
    });
  });
});
