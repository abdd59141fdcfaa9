// Probe behind web/src/db/BOOT.md: where the offline cold start's time goes. For each variant (a built web
// dist) it syncs one profile online, then times offline cold starts, the variants' runs interleaved back to
// back so a busy machine weighs on all of them alike. Each run reads the `hearth:*` performance marks of the
// page and of its replica worker (as ms since the page's navigation start) and the page's CPU.
// Usage: tsx tests/bench/client-coldstart.ts [--runs N] <label>=<web dist> … (`vite build --outDir <dist>`).
import type { BrowserContext, Page } from '@playwright/test';
import { launchChromium, startServer, type RunningServer } from './client-server';
import { median } from './stats';

interface Variant {
  readonly label: string;
  readonly dist: string;
  server?: RunningServer;
  context?: BrowserContext;
  page?: Page;
  readonly runs: Record<string, number>[];
}

/** Marks of the page and of its workers, as ms since the page's time origin (its navigation start). */
async function readMarks(page: Page): Promise<Record<string, number>> {
  const read = () =>
    ({
      origin: performance.timeOrigin,
      marks: performance
        .getEntriesByType('mark')
        .filter((mark) => mark.name.startsWith('hearth:'))
        .map((mark) => ({ name: mark.name, at: performance.timeOrigin + mark.startTime })),
    }) as const;
  const own = await page.evaluate(read);
  const out: Record<string, number> = {};
  const note = (name: string, at: number) => {
    if (!(name in out)) out[name] = at - own.origin;
  };
  for (const mark of own.marks) note(mark.name, mark.at);
  for (const worker of page.workers()) {
    const theirs = await worker.evaluate(read).catch(() => null);
    for (const mark of theirs?.marks ?? []) note(`worker ${mark.name}`, mark.at);
  }
  const feed = await page.evaluate(() => (window as unknown as { coldFeed?: number }).coldFeed);
  if (feed !== undefined) out['feed shown'] = feed;
  return out;
}

async function prepare(variant: Variant, port: number): Promise<void> {
  const browser = await launchChromium();
  variant.server = await startServer(port, variant.dist);
  const context = await browser.newContext({ baseURL: variant.server.baseURL });
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid="feed-event"]') === null) return;
      (window as unknown as { coldFeed: number }).coldFeed = performance.now();
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.locator('[data-testid="sync-status"][data-state="up-to-date"]').waitFor({ timeout: 180_000 });
  await context.setOffline(true);
  variant.context = context;
  variant.page = page;
}

async function coldStart(variant: Variant, tracePath?: string): Promise<void> {
  const context = variant.context as BrowserContext;
  await variant.page?.close();
  const page = await context.newPage();
  variant.page = page;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const browser = context.browser();
  if (tracePath !== undefined)
    await browser?.startTracing(page, {
      path: tracePath,
      categories: [
        'devtools.timeline',
        'v8',
        'v8.wasm',
        'disabled-by-default-devtools.timeline',
        'blink.user_timing',
        'ServiceWorker',
        'IndexedDB',
        'loading',
        'disabled-by-default-v8.cpu_profiler',
      ],
    });
  await page.goto('/');
  await page.locator('[data-testid="feed-event"]').first().waitFor({ timeout: 60_000 });
  if (tracePath !== undefined) await browser?.stopTracing();
  const marks = await readMarks(page);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  marks['page CPU: script'] = metric('ScriptDuration');
  marks['page CPU: all tasks'] = metric('TaskDuration');
  variant.runs.push(marks);
}

const args = process.argv.slice(2);
let runs = 7;
let tracePrefix: string | undefined;
const variants: Variant[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  if (arg === '--runs') runs = Number(args[++i]);
  // A Chrome trace of each variant's last cold start: <prefix>-<label>.json (open it in chrome://tracing).
  else if (arg === '--trace') tracePrefix = args[++i];
  else {
    const [label = '', dist = ''] = arg.split('=');
    variants.push({ label, dist, runs: [] });
  }
}
let port = Number(process.env.PROBE_PORT ?? 3131);
try {
  for (const variant of variants) await prepare(variant, port++);
  for (let i = 0; i < runs; i++)
    for (const variant of variants)
      await coldStart(
        variant,
        i === runs - 1 && tracePrefix !== undefined ? `${tracePrefix}-${variant.label}.json` : undefined,
      );
  for (const variant of variants) {
    const names = [...new Set(variant.runs.flatMap((run) => Object.keys(run)))];
    const rows = names
      .map((name) => ({ name, values: variant.runs.map((run) => run[name]).filter((v) => v !== undefined) }))
      .sort((a, b) => median(a.values) - median(b.values));
    console.log(
      `\n${variant.label}: ${variant.runs.length} offline cold starts, ms since navigation start (median, min–max)`,
    );
    for (const { name, values } of rows)
      console.log(
        `  ${name.padEnd(28)} ${median(values).toFixed(0).padStart(6)}   ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`,
      );
  }
} finally {
  for (const variant of variants) {
    await variant.context?.browser()?.close();
    await variant.server?.stop();
  }
}
process.exit(0);
