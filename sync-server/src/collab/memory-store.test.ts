import { v7 as uuidv7 } from 'uuid';
import { MemoryRoomStore } from './memory-store';
import { roomStoreContract } from './store-contract';

roomStoreContract('memory', () => {
  const store = new MemoryRoomStore();
  return Promise.resolve({ store, newDraft: () => Promise.resolve(uuidv7()), authorId: uuidv7() });
});
