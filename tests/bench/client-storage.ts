// Probe behind web/src/db/STORAGE.md: a tab's query latency through the leader worker while the sync
// runs, for each replica storage, and whether a flushed write survives its page being killed right after.
// Usage: tsx tests/bench/client-storage.ts <label>=<web dist> … (one `vite build --outDir` per variant of
// the worker's PGlite storage options; the figures of the last run are in web/src/db/STORAGE.md).
import type { Page } from '@playwright/test';
import { launchChromium, startServer } from './client-server';
import { median, percentile } from './stats';

interface Timings {
  select: number[];
  emptyTx: number[];
  writeTx: number[];
}

/** Times `rounds` of each kind of statement from the page, one after another. */
function timeStatements(page: Page, rounds: number, until: 'rounds' | 'up-to-date'): Promise<Timings> {
  return page.evaluate(
    async ({ rounds, until }) => {
      const { db } = await window.hearth.replica;
      await db.exec('create table if not exists probe_scratch (id text primary key, at float8)');
      const began = performance.now();
      const out = { select: [] as number[], emptyTx: [] as number[], writeTx: [] as number[] };
      // (No named helpers in here: tsx would wrap them in a `__name` the page does not have.)
      for (
        let i = 0;
        until === 'rounds'
          ? i < rounds
          : document.querySelector('[data-testid="sync-status"]')?.getAttribute('data-state') !==
              'up-to-date' && performance.now() - began < 90_000;
        i++
      ) {
        let t = performance.now();
        await db.query('select 1');
        out.select.push(performance.now() - t);
        t = performance.now();
        await db.transaction(async (tx) => {
          await tx.query('select 1');
        });
        out.emptyTx.push(performance.now() - t);
        t = performance.now();
        await db.transaction(async (tx) => {
          await tx.query('insert into probe_scratch values ($1, $2)', [crypto.randomUUID(), Date.now()]);
        });
        out.writeTx.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return out;
    },
    { rounds, until },
  );
}

function summary(label: string, values: readonly number[]): string {
  if (values.length === 0) return `${label}: none`;
  return `${label}: n=${values.length} median ${median(values).toFixed(0)} ms, p90 ${percentile(values, 90).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
}

const step = (label: string, what: string) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${label}: ${what}`);

/** page.evaluate has no timeout of its own: a replica that never opens must not hang the probe. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms),
    ),
  ]);
}

async function probe(label: string, dist: string, port: number): Promise<void> {
  const server = await startServer(port, dist);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ baseURL: server.baseURL, serviceWorkers: 'block' });
    const page = await context.newPage();
    const start = Date.now();
    await page.goto('/');
    await page.evaluate(async () => {
      await window.hearth.replica;
    });
    const opened = Date.now() - start;
    step(label, `replica open after ${opened} ms; timing statements during the first sync`);
    const during = await timeStatements(page, 0, 'up-to-date');
    step(label, 'waiting for up to date');
    await page
      .getByTestId('sync-status')
      .and(page.locator('[data-state="up-to-date"]'))
      .waitFor({ timeout: 120_000 });
    const firstSync = Date.now() - start;
    step(label, 'timing statements while up to date');
    const steady = await within(300_000, 'steady statements', timeStatements(page, 40, 'rounds'));
    step(label, 'killing pages right after a write');

    // A write, then the page dies at once (no unload): is it there when the app opens again?
    let kept = 0;
    let reopenFailures = 0;
    const reopens: number[] = [];
    const flushes: number[] = [];
    let current = page;
    for (let i = 0; i < 5; i++) {
      // As `mutate` does: the write, then the replica's explicit flush (a no-op wait where storage is strict).
      const { id, flushMs } = await current.evaluate(async () => {
        const replica = await window.hearth.replica;
        const id = crypto.randomUUID();
        await replica.db.query('insert into probe_scratch values ($1, $2)', [id, Date.now()]);
        const t = performance.now();
        await replica.flush();
        return { id, flushMs: performance.now() - t };
      });
      flushes.push(flushMs);
      await current.close({ runBeforeUnload: false });
      current = await context.newPage();
      const t = Date.now();
      await current.goto('/');
      const found = await within(
        60_000,
        'reopen',
        current.evaluate(async (id) => {
          const { db } = await window.hearth.replica;
          const { rows } = await db.query('select 1 from probe_scratch where id = $1', [id]);
          return rows.length;
        }, id),
      ).catch((error: unknown) => {
        reopenFailures += 1;
        console.log(`  reopen ${i} failed: ${String(error).split('\n')[0]}`);
        return -1;
      });
      reopens.push(Date.now() - t);
      if (found === 1) kept += 1;
    }
    console.log(`\n${label}: replica open ${opened} ms, first sync (anonymous demo) ${firstSync} ms`);
    console.log(`  during first sync  ${summary('select 1', during.select)}`);
    console.log(`                     ${summary('empty tx', during.emptyTx)}`);
    console.log(`                     ${summary('write tx', during.writeTx)}`);
    console.log(`  up to date         ${summary('select 1', steady.select)}`);
    console.log(`                     ${summary('empty tx', steady.emptyTx)}`);
    console.log(`                     ${summary('write tx', steady.writeTx)}`);
    console.log(
      `  killed right after a write + flush: kept ${kept}/5, reopen failures ${reopenFailures}, reopen to a query median ${median(reopens)} ms`,
    );
    console.log(`  ${summary('explicit flush', flushes)}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

const variants = process.argv.slice(2).map((arg) => {
  const [label = '', dist = ''] = arg.split('=');
  return { label, dist };
});
let port = Number(process.env.PROBE_PORT ?? 3111);
for (const { label, dist } of variants) await probe(label, dist, port++);
process.exit(0);
