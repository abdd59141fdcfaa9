// The workload of the crash test (SPEC.md SE43), shared by the child that writes it and the test that
// checks what survived: which shapes a commit touches, and entries that say how many they are.
import type { StoredEntry } from './store';

export const CRASH_SHAPES = Array.from({ length: 8 }, (_, i) => `crash-${i}`);

export function crashTouches(lsn: bigint): string[] {
  const n = Number(lsn % 8n);
  return [...new Set([n, (n + 1) % 8, (n + 3) % 8])].map((i) => CRASH_SHAPES[i] as string);
}

export function crashEntryCount(lsn: bigint): number {
  return 1 + Number(lsn % 5n);
}

export function crashEntries(lsn: bigint, handle: string): StoredEntry[] {
  const count = crashEntryCount(lsn);
  return Array.from({ length: count }, (_, i) => ({
    offset: { tx: lsn, op: i * 2 },
    json: JSON.stringify({ lsn: String(lsn), shape: handle, i, count, pad: 'x'.repeat(Number(lsn % 300n)) }),
  }));
}
