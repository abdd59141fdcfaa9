// What this device asked the server last, per viewer and event: the RSVP answer and the mutation that
// carried it, kept until the viewer has seen how the server decided (GW4). localStorage, so it
// survives a reload made while the answer waits offline.
import { useCallback, useState } from 'react';
import type { RsvpChoice } from './rsvp';

export interface Asked {
  readonly mutationId: string;
  readonly asked: RsvpChoice;
}

const keyOf = (userId: string, eventId: string) => `hearth:rsvp-asked:${userId}:${eventId}`;

function read(key: string): Asked | null {
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Asked> | null;
    return typeof value?.mutationId === 'string' &&
      (value.asked === 'going' || value.asked === 'maybe' || value.asked === 'not_going')
      ? { mutationId: value.mutationId, asked: value.asked }
      : null;
  } catch {
    return null;
  }
}

export function useAsked(userId: string, eventId: string): [Asked | null, (asked: Asked | null) => void] {
  const key = keyOf(userId, eventId);
  const [state, setState] = useState<{ key: string; asked: Asked | null }>(() => ({ key, asked: read(key) }));
  const asked = state.key === key ? state.asked : read(key);
  const set = useCallback(
    (next: Asked | null) => {
      try {
        if (next === null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // storage full or blocked: the notice then lives as long as the page
      }
      setState({ key, asked: next });
    },
    [key],
  );
  return [asked, set];
}
