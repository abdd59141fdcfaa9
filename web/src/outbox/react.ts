// React bindings of the outbox for screens: the client from context, its status, and `mutate`.
import { createContext, createElement, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { HearthClient, OutboxStatus } from './client';
import type { RejectedEntry } from './store';

const HearthContext = createContext<HearthClient | null>(null);

export function HearthProvider({ client, children }: { client: HearthClient; children?: ReactNode }) {
  return createElement(HearthContext.Provider, { value: client }, children);
}

export function useHearth(): HearthClient {
  const client = useContext(HearthContext);
  if (client === null)
    throw new Error('useHearth() needs a <HearthProvider client={…}> above it (see main.tsx).');
  return client;
}

export function useOutboxStatus(): OutboxStatus {
  const client = useHearth();
  return useSyncExternalStore(client.subscribe, client.getStatus);
}

/** Changes made on this device that the server has not answered yet (OB14). */
export function usePendingCount(): number {
  return useOutboxStatus().pending;
}

/** Changes the server refused, each with its typed code and message, until dismissed (OB6). */
export function useRejected(): readonly RejectedEntry[] {
  return useOutboxStatus().rejected;
}

/** `mutate(name, args)`: typed by the mutation registry; resolves once the change shows locally. */
export function useMutate(): HearthClient['mutate'] {
  return useHearth().mutate;
}
