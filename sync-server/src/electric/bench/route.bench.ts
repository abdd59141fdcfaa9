// Routing cost per change with 1,000 and 10,000 `col = const` shapes, against evaluating every shape.
// Run: pnpm exec tsx sync-server/src/electric/bench/route.bench.ts   (figures printed, not asserted)
import { performance } from 'node:perf_hooks';
import { ShapeRouter } from '../router';
import { parseWhere } from '../where-parse';
import { compileWhere, type RowPredicate } from '../where-eval';
import type { Row } from '../table-schema';
import { items } from '../test-support/tables';

const table = { schema: 'public', name: 'items' };
const CHANGES = 200_000;

function rowWith(n: number): Row {
  return { id: String(n), n: String(n), title: `title ${n}`, done: 'f', price: '1.50' };
}

function measure(label: string, changes: number, run: (i: number) => number): void {
  for (let i = 0; i < 2_000; i++) run(i); // warm up the JIT
  let routed = 0;
  const start = performance.now();
  for (let i = 0; i < changes; i++) routed += run(i);
  const ms = performance.now() - start;
  const perChangeUs = (ms * 1000) / changes;
  console.log(
    `${label.padEnd(44)} ${perChangeUs.toFixed(3).padStart(9)} µs/change  ${Math.round(changes / (ms / 1000))
      .toLocaleString('en')
      .padStart(11)} changes/s  (${routed} routed)`,
  );
}

for (const shapes of [1_000, 10_000]) {
  const router = new ShapeRouter();
  const predicates: RowPredicate[] = [];
  for (let i = 0; i < shapes; i++) {
    const where = parseWhere(`n = ${i}`, items);
    router.add(`s${i}`, table, where);
    predicates.push(compileWhere(where));
  }
  // Updates that move a row from one shape's value to another's: 2 index lookups, 2 candidates each.
  measure(`router, ${shapes.toLocaleString('en')} shapes, update`, CHANGES, (i) => {
    return router.route(table, rowWith(i % shapes), rowWith((i + 1) % shapes)).length;
  });
  measure(`router, ${shapes.toLocaleString('en')} shapes, insert (no match)`, CHANGES, (i) => {
    return router.route(table, null, rowWith(shapes + i)).length;
  });
  // The naive engine: every shape evaluated on every change.
  const naiveChanges = Math.max(200, Math.floor(2_000_000 / shapes));
  measure(`evaluate all, ${shapes.toLocaleString('en')} shapes, insert`, naiveChanges, (i) => {
    const row = rowWith(i % shapes);
    let n = 0;
    for (const p of predicates) if (p(row) === true) n++;
    return n;
  });
}
