// Touches a temp folder only (removed after each test): cheap enough for the unit tier.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadOrCreateShapeSecret, SHAPE_SECRET_FILE } from './shape-secret';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-secret-'));
  dirs.push(dir);
  return dir;
};

it('[CF9] without SHAPE_SECRET a random secret is made once per DATA_DIR, readable by its owner only', () => {
  const dir = tempDir();
  const first = loadOrCreateShapeSecret(dir);
  expect(first).toMatch(/^[0-9a-f]{64}$/);
  expect(loadOrCreateShapeSecret(dir)).toBe(first);
  expect(statSync(path.join(dir, SHAPE_SECRET_FILE)).mode & 0o777).toBe(0o600);
  expect(loadOrCreateShapeSecret(tempDir())).not.toBe(first);
});
