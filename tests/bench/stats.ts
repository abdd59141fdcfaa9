// Small statistics for benchmark output: figures are printed, never asserted (machines are shared).
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function printRow(label: string, value: string): void {
  console.log(`  ${label.padEnd(52)} ${value}`);
}
