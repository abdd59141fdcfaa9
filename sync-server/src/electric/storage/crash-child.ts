// Child process of crash.test.ts (SPEC.md SE43): appends transactions to several shapes without end,
// a few commits in flight at once, and prints `acked <lsn>` when a commit's appends have resolved.
// The test SIGKILLs it mid-stream. Run: tsx crash-child.ts <dataDir>
import { DiskShapeLogStore } from './disk-store';
import { crashTouches, crashEntries, CRASH_SHAPES } from './crash-workload';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: tsx crash-child.ts <dataDir>');
const store = await DiskShapeLogStore.open({ dataDir, chunkBytes: 2_000, journalMaxBytes: 256 * 1024 });
for (const handle of CRASH_SHAPES) {
  if (!store.info(handle)) {
    await store.create({
      handle,
      definitionKey: handle,
      definitionHash: '1',
      definition: '{}',
      schemaHeader: '{}',
      createdAt: 0,
    });
  }
}
let lsn = store.list().reduce((max, s) => (s.lastLsn > max ? s.lastLsn : max), 0n) + 1n;
process.stdout.write(`ready ${lsn}\n`);
const inFlight = new Set<Promise<void>>();
for (;;) {
  const commit = lsn;
  const done = Promise.all(
    crashTouches(commit).map((h) => store.appendTransaction(h, commit, crashEntries(commit, h)).durable),
  )
    .then(() => {
      process.stdout.write(`acked ${commit}\n`);
    })
    .finally(() => inFlight.delete(done));
  inFlight.add(done);
  lsn++;
  if (inFlight.size >= 8) await Promise.race(inFlight);
}
