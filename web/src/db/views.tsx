// Reading the replica from screens: live queries (pglite-react) over the merged views, which show
// synced rows with this device's pending changes laid over them. No screen fetches data.
import { PGliteProvider, useLiveQuery } from '@electric-sql/pglite-react';
import { useEffect, useState, type ReactNode } from 'react';
import type { Replica, ReplicaDb } from './replica';

/** Renders `children` with the replica as pglite-react's database once it is open. */
export function ReplicaProvider({
  replica,
  fallback = null,
  children,
}: {
  replica: Promise<Replica>;
  fallback?: ReactNode;
  children?: ReactNode;
}) {
  const [db, setDb] = useState<ReplicaDb | null>(null);
  useEffect(() => {
    let current = true;
    replica.then(
      (opened) => {
        if (current) setDb(opened.db);
      },
      () => undefined, // the shell shows the typed failure (useReplicaStatus)
    );
    return () => {
      current = false;
    };
  }, [replica]);
  if (db === null) return <>{fallback}</>;
  return <PGliteProvider db={db}>{children}</PGliteProvider>;
}

/**
 * Rows of a query over the views (`public.<table>`), live: re-rendered when synced rows or the
 * overlay change. Undefined until the first result.
 */
export function useView<Row extends Record<string, unknown>>(
  sql: string,
  params: readonly unknown[] = [],
): Row[] | undefined {
  return useLiveQuery<Row>(sql, [...params])?.rows;
}
