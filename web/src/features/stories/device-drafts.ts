// Draft documents kept on this device (SPEC.md SW9): one IndexedDB database per draft, named here.
// Small on purpose (no Yjs), so sign-out can forget them without loading the editor.

const PREFIX = 'hearth-draft:';

/** The IndexedDB database that keeps a draft's Yjs document on this device. */
export const draftStoreName = (draftId: string) => `${PREFIX}${draftId}`;

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`could not delete ${name}`));
    // Blocked: a tab still has the draft open; it is deleted once that tab lets go.
    request.onblocked = () => resolve();
  });
}

/** Deletes every draft document kept on this device (for sign-out: the next person must not find them). */
export async function forgetDraftDocuments(): Promise<number> {
  const names = (await indexedDB.databases()).flatMap(({ name }) => (name?.startsWith(PREFIX) ? [name] : []));
  await Promise.all(names.map(deleteDatabase));
  return names.length;
}
