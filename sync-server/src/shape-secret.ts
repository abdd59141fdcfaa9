// The shape API (/v1/shape) is for trusted callers only (the gateway, operators' tools). When
// SHAPE_SECRET is not set we still never leave it open: a random secret is made once per DATA_DIR and
// kept beside the data (mode 0600), like the embedded Postgres password.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SHAPE_SECRET_FILE = 'shape-secret';

export function loadOrCreateShapeSecret(dataDir: string): string {
  const file = path.join(dataDir, SHAPE_SECRET_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
