// The shape log contract (SPEC.md SE39–SE46) against the in-memory store: pure, no IO.
import { MemoryShapeLogStore } from './memory-store';
import { shapeLogStoreContract } from './store-contract';
import type { ShapeLogStore } from './store';

shapeLogStoreContract('memory', () => {
  let store: ShapeLogStore | undefined;
  return {
    open(options) {
      // One test, one storage: a second open sees the same store, as a reopened disk store would.
      store ??= new MemoryShapeLogStore(options);
      return Promise.resolve(store);
    },
    async cleanup() {
      await store?.close();
    },
  };
});
