// One Hearth per DATA_DIR: a lock file holding the owner's pid, taken before any data is touched.
// A lock whose pid is gone (or is now another process: the start time differs) is stale and is taken
// over, so a killed server never blocks the next start. Node has no flock(2); the takeover renames
// the stale file aside first, so two starters racing over one stale lock cannot both win.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '@hearth/schema/errors';

export const LOCK_FILE_NAME = 'hearth.lock';

export interface LockOwner {
  pid: number;
  /** Kernel start time of the pid (Linux), to tell a reused pid from the owner. */
  startTime: string | null;
  hostname: string;
  token: string;
  startedAt: string;
}

export class AlreadyRunningError extends Error {
  readonly code = ErrorCode.alreadyRunning;
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `Hearth is already running with DATA_DIR=${dataDir} (pid ${owner.pid}). ` +
        'Stop it first or set DATA_DIR to another folder.',
    );
  }
}

export interface InstanceLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Whether an earlier owner died without releasing it (its Postgres may still be running). */
  readonly tookOverStale: LockOwner | null;
  release(): void;
}

/** `/proc/<pid>/stat` field 22; null where there is no procfs. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parens: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownerIsAlive(owner: LockOwner): boolean {
  if (owner.hostname !== os.hostname()) return true; // another machine (shared disk): we cannot tell.
  if (!isProcessAlive(owner.pid)) return false;
  const startTime = processStartTime(owner.pid);
  return owner.startTime === null || startTime === null || startTime === owner.startTime;
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable or half-written (a crash between open and write): treat as a dead owner.
    return { pid: -1, startTime: null, hostname: os.hostname(), token: 'corrupt', startedAt: '' };
  }
}

/** Takes the lock on `dataDir` (created if missing) or throws AlreadyRunningError. */
export function acquireInstanceLock(dataDir: string): InstanceLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const owner: LockOwner = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    hostname: os.hostname(),
    token: randomUUID(),
    startedAt: new Date().toISOString(),
  };
  let tookOverStale: LockOwner | null = null;

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner), { flag: 'wx', mode: 0o644 });
      return makeLock(file, owner, tookOverStale);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readOwner(file);
    if (current === null) continue; // released between our attempts
    if (ownerIsAlive(current)) throw new AlreadyRunningError(dataDir, current);

    const aside = `${file}.stale-${owner.token}`;
    try {
      fs.renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another starter moved it
      throw error;
    }
    const moved = readOwner(aside);
    if (moved !== null && moved.token !== current.token) {
      // We moved a live lock that a racing starter had just written: put it back and yield to it.
      try {
        fs.linkSync(aside, file);
      } finally {
        fs.rmSync(aside, { force: true });
      }
      throw new AlreadyRunningError(dataDir, moved);
    }
    fs.rmSync(aside, { force: true });
    tookOverStale = current;
  }
  throw new Error(`Could not take the lock ${file}: it keeps changing. Is another Hearth starting?`);
}

function makeLock(file: string, owner: LockOwner, tookOverStale: LockOwner | null): InstanceLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // Only remove the file if it is still ours.
    if (readOwner(file)?.token === owner.token) fs.rmSync(file, { force: true });
  };
  // A crash that still runs exit handlers (uncaught error, process.exit) also frees the folder.
  process.on('exit', release);
  return { path: file, owner, tookOverStale, release };
}
