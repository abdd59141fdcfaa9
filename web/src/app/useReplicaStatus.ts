// Follows the local replica from "opening" to "ready (N tables)" or a typed failure.
import { useEffect, useState } from 'react';
import { ReplicaError, ReplicaErrorCode } from '../db/protocol';
import type { Replica } from '../db/replica';

export type ReplicaStatus =
  | { readonly state: 'opening' }
  | { readonly state: 'ready'; readonly tables: number }
  | { readonly state: 'failed'; readonly code: ReplicaErrorCode; readonly message: string };

export function useReplicaStatus(replica: Promise<Replica>): ReplicaStatus {
  const [status, setStatus] = useState<ReplicaStatus>({ state: 'opening' });
  useEffect(() => {
    let current = true;
    replica
      .then((opened) => opened.tableCount())
      .then((tables) => {
        if (current) setStatus({ state: 'ready', tables });
      })
      .catch((error: unknown) => {
        if (!current) return;
        setStatus(
          error instanceof ReplicaError
            ? { state: 'failed', code: error.code, message: error.message }
            : {
                state: 'failed',
                code: ReplicaErrorCode.OPEN_FAILED,
                message: `Hearth could not read its local database: ${String(error)}. Reload to try again.`,
              },
        );
      });
    return () => {
      current = false;
    };
  }, [replica]);
  return status;
}
