// `pnpm bench [name…]`: runs the named benchmarks (all when none is named). They print figures and
// assert nothing: speed targets are read from these numbers, never from timed tests.
export {}; // a module, so top-level await works
const benches: Record<string, { about: string; run: () => Promise<unknown> }> = {
  boot: {
    about: 'start-up to ready, restart, /healthz cost',
    run: async () => (await import('./boot')).run(),
  },
  writes: {
    about: 'mutations/s and latency through POST /api/mutations, 50 clients',
    run: async () => (await import('./writes')).run(),
  },
  gatherings: {
    about: 'RSVP mutations/s on one popular event (100 clients); offline check-in -> another host',
    run: async () => (await import('./gatherings')).run(),
  },
  sync: {
    about: 'shape engine: fan-out latency, ingest, initial sync, memory per live request',
    run: async () => (await import('./sync')).run(),
  },
  collab: {
    about:
      'collab rooms: relay latency (50 rooms) vs stock y-websocket-server, 10k-update load, memory per room',
    run: async () => (await import('./collab')).run(),
  },
  client: {
    about: 'PWA in headless Chromium: offline cold start to first data, first full sync, JS shipped (gzip)',
    run: async () => (await import('./client')).run(),
  },
  route: {
    about: 'shape routing cost per change with 1,000 and 10,000 shapes',
    run: () => import('../../sync-server/src/electric/bench/route.bench'),
  },
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}. Available:`);
  for (const [name, bench] of Object.entries(benches)) console.error(`  ${name.padEnd(10)} ${bench.about}`);
  process.exit(2);
}
for (const name of asked.length > 0 ? asked : Object.keys(benches)) {
  console.log(`\n== ${name}: ${benches[name]?.about ?? ''}`);
  await benches[name]?.run();
}
process.exit(0);
