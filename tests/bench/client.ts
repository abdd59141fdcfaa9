// `pnpm bench client`: the PWA in headless Chromium against the real server with the demo data —
// cold start to the first rendered data offline (from the service worker's cache), time to the first
// full sync, and the JS it ships (gzip), PGlite's own assets listed apart. Prints figures, asserts nothing.
// Targets (issue 4): offline cold start <= 1.5 s; app JS <= 250 KB gzip.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from '@playwright/test';
import { build } from 'vite';
import { launchChromium, startServer } from './client-server';
import { formatMs, median, printRow } from './stats';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COLD_STARTS = 7;
const FIRST_SYNCS = 3;
const PORT = Number(process.env.BENCH_PORT ?? 3121);

/** Times (ms since navigation start) the page first showed a feed event and an up-to-date sync. */
interface Marks {
  feed?: number;
  upToDate?: number;
}

/** In every page of `context`: note when the first feed event and the first up-to-date appear. */
async function markMilestones(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const marks: Record<string, number> = {};
    (window as unknown as { benchMarks: Record<string, number> }).benchMarks = marks;
    new MutationObserver(() => {
      if (marks.feed === undefined && document.querySelector('[data-testid="feed-event"]') !== null)
        marks.feed = performance.now();
      if (
        marks.upToDate === undefined &&
        document.querySelector('[data-testid="sync-status"][data-state="up-to-date"]') !== null
      )
        marks.upToDate = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
}

const readMarks = (page: Page) =>
  page.evaluate(() => (window as unknown as { benchMarks: Marks }).benchMarks);

async function waitForUpToDate(page: Page): Promise<void> {
  await page.locator('[data-testid="sync-status"][data-state="up-to-date"]').waitFor({ timeout: 180_000 });
}

/** Static (`import … from`, `import "…"`) and dynamic (`import(…)`, any quotes) imports of a built chunk. */
function importsOf(code: string): { statics: string[]; dynamics: string[] } {
  const statics = [...code.matchAll(/(?:from|import)\s*["'`]\.\/([\w.-]+\.js)["'`]/g)].map((m) => m[1] ?? '');
  const dynamics = [...code.matchAll(/import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g)].map((m) => m[1] ?? '');
  return { statics, dynamics };
}

/** Every chunk reachable from `entry` through static imports (and dynamic ones too when asked). */
function closure(assets: string, entry: string, withDynamic: boolean): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const { statics, dynamics } = importsOf(readFileSync(path.join(assets, file), 'utf8'));
    queue.push(...statics, ...(withDynamic ? dynamics : []));
  }
  return seen;
}

const gzipKb = (file: string) => gzipSync(readFileSync(file)).length / 1024;
const kb = (n: number) => `${n.toFixed(1)} KB`;

function printShipped(dist: string): void {
  const assets = path.join(dist, 'assets');
  const files = readdirSync(assets);
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /src="\/assets\/([\w.-]+\.js)"/.exec(html)?.[1];
  const worker = files.find((file) => file.startsWith('replica.worker-') && file.endsWith('.js'));
  if (entry === undefined || worker === undefined)
    throw new Error(`no app entry or replica worker in ${dist}`);
  const workerChunks = closure(assets, worker, true);
  const firstLoad = closure(assets, entry, false);
  const allApp = closure(assets, entry, true);
  for (const file of workerChunks) allApp.delete(file);
  const sum = (names: Iterable<string>) =>
    [...names].reduce((total, name) => total + gzipKb(path.join(assets, name)), 0);
  const lazy = [...allApp].filter((file) => !firstLoad.has(file));
  const pgliteBinaries = files.filter((file) => /\.(wasm|data)$/.test(file));

  console.log('\n  JS shipped (gzip)');
  printRow('app JS, first load (entry + static imports)', `${kb(sum(firstLoad))} in ${firstLoad.size} files`);
  printRow('app JS, lazy screens', `${kb(sum(lazy))} in ${lazy.length} files`);
  printRow('app JS, all (target <= 250 KB for the first load)', kb(sum(allApp)));
  console.log('  PGlite’s own (the replica worker: PGlite, pglite-sync, the local schema)');
  printRow('replica worker JS', `${kb(sum(workerChunks))} in ${workerChunks.size} files`);
  for (const file of pgliteBinaries)
    printRow(
      `  ${file.replace(/-[\w]{8}\./, '.')}`,
      `${kb(gzipKb(path.join(assets, file)))} (raw ${kb(statSync(path.join(assets, file)).size / 1024)})`,
    );
}

export async function run(): Promise<void> {
  const dist = mkdtempSync(path.join(tmpdir(), 'hearth-bench-client-'));
  try {
    // Its own build, so the bench never rewrites web/dist under a running e2e suite.
    await build({
      configFile: path.join(REPO_ROOT, 'vite.config.ts'),
      build: { outDir: dist, emptyOutDir: true },
      logLevel: 'error',
    });
    printShipped(dist);

    const server = await startServer(PORT, dist);
    const browser = await launchChromium();
    try {
      // First full sync of the demo data, each in a new profile (nothing cached, no replica).
      const syncs: number[] = [];
      const firstFeeds: number[] = [];
      for (let i = 0; i < FIRST_SYNCS; i++) {
        const context = await browser.newContext({ baseURL: server.baseURL });
        await markMilestones(context);
        const page = await context.newPage();
        await page.goto('/');
        await waitForUpToDate(page);
        const marks = await readMarks(page);
        if (marks.upToDate !== undefined) syncs.push(marks.upToDate);
        if (marks.feed !== undefined) firstFeeds.push(marks.feed);
        await context.close();
      }

      // Offline cold starts: one visit online (the service worker precaches, the replica syncs), then
      // each run a new page with no network; the page before it is closed (OPFS handles are exclusive).
      const context = await browser.newContext({ baseURL: server.baseURL });
      await markMilestones(context);
      let page = await context.newPage();
      await page.goto('/');
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await waitForUpToDate(page);
      const cold: number[] = [];
      await context.setOffline(true);
      for (let i = 0; i < COLD_STARTS; i++) {
        await page.close();
        page = await context.newPage();
        await page.goto('/');
        await page.locator('[data-testid="feed-event"]').first().waitFor({ timeout: 60_000 });
        const { feed } = await readMarks(page);
        if (feed !== undefined) cold.push(feed);
      }
      await context.close();

      console.log('\n  Timings (headless Chromium, ms since navigation start)');
      printRow(`first full sync of the demo data (median of ${syncs.length})`, formatMs(median(syncs)));
      printRow('  runs', syncs.map(formatMs).join(', '));
      printRow(`first feed on a first visit (median of ${firstFeeds.length})`, formatMs(median(firstFeeds)));
      printRow(
        `offline cold start to first data (median of ${cold.length}, target <= 1.5 s)`,
        formatMs(median(cold)),
      );
      printRow('  runs', cold.map(formatMs).join(', '));
    } finally {
      await browser.close();
      await server.stop();
    }
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}
