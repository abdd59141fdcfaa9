// What a bench process costs while it measures: its CPU (percent of one core) and its event-loop
// delay since the last mark, plus a system-wide monotonic clock every process of the bench shares.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import os from 'node:os';

export interface Load {
  /** CPU time (user + system) this process used since the mark. */
  readonly cpuMs: number;
  /** Percent of one core used by this process since the mark (200 = both cores of this machine). */
  readonly cpuPercent: number;
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly rssBytes: number;
}

/** Milliseconds on CLOCK_MONOTONIC: the same clock in every process of this machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The delay timer's period; the histogram records period + delay, so it is subtracted. */
const RESOLUTION_MS = 5;

export class LoadMeter {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private cpu = process.cpuUsage();
  private since = performance.now();

  constructor() {
    this.delay.enable();
  }

  mark(): void {
    this.cpu = process.cpuUsage();
    this.since = performance.now();
    this.delay.reset();
  }

  read(): Load {
    const used = process.cpuUsage(this.cpu);
    const wallMs = Math.max(1, performance.now() - this.since);
    const ms = (ns: number) =>
      Number.isFinite(ns) && this.delay.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0;
    const cpuMs = (used.user + used.system) / 1000;
    return {
      cpuMs,
      cpuPercent: (cpuMs / wallMs) * 100,
      loopDelayP50Ms: ms(this.delay.percentile(50)),
      loopDelayP99Ms: ms(this.delay.percentile(99)),
      loopDelayMaxMs: ms(this.delay.max),
      rssBytes: process.memoryUsage.rss(),
    };
  }
}

/** The whole machine's busy share (all processes, Postgres included) between two samples. */
export class MachineMeter {
  private last = MachineMeter.sample();

  private static sample(): { busy: number; total: number } {
    let busy = 0;
    let total = 0;
    for (const cpu of os.cpus()) {
      const t = cpu.times;
      const all = t.user + t.nice + t.sys + t.idle + t.irq;
      busy += all - t.idle;
      total += all;
    }
    return { busy, total };
  }

  mark(): void {
    this.last = MachineMeter.sample();
  }

  /** Percent of all cores busy since the mark. */
  read(): number {
    const now = MachineMeter.sample();
    const total = now.total - this.last.total;
    return total > 0 ? ((now.busy - this.last.busy) / total) * 100 : 0;
  }
}

/** Loads of several client processes as one: CPU adds up, delays take the worst process. */
export function combine(loads: readonly Load[]): Load {
  return {
    cpuMs: loads.reduce((sum, l) => sum + l.cpuMs, 0),
    cpuPercent: loads.reduce((sum, l) => sum + l.cpuPercent, 0),
    loopDelayP50Ms: Math.max(0, ...loads.map((l) => l.loopDelayP50Ms)),
    loopDelayP99Ms: Math.max(0, ...loads.map((l) => l.loopDelayP99Ms)),
    loopDelayMaxMs: Math.max(0, ...loads.map((l) => l.loopDelayMaxMs)),
    rssBytes: loads.reduce((sum, l) => sum + l.rssBytes, 0),
  };
}

export function describeLoad(load: Load): string {
  return (
    `CPU ${Math.round(load.cpuPercent)}%, loop delay p50 ${load.loopDelayP50Ms.toFixed(1)} / ` +
    `p99 ${load.loopDelayP99Ms.toFixed(1)} / max ${load.loopDelayMaxMs.toFixed(1)} ms`
  );
}
