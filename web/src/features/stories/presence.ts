// Who is in a draft right now (SPEC.md SW10), from the Yjs awareness states the collab room relays:
// the server writes `user: { id, name, color }` into every state from the session
// (schema/src/drafts/collab-wire.ts); this client offers its colour. Pure: states and ids are inputs.
import type { AwarenessUser } from '@hearth/schema/drafts/collab-wire';

export interface PresentPerson extends AwarenessUser {
  /** This device's own entry (shown as "you"). */
  readonly self: boolean;
  /** How many open editors (tabs, devices) this person has here. */
  readonly clients: number;
}

/** Caret colours that read on light and dark backgrounds. */
const PALETTE = ['#c4531f', '#2f7d8a', '#7a4fb5', '#2f8a4f', '#b5476f', '#8a6d1f', '#3d6fd1', '#a8431a'];

/** [SW10] A person's caret colour: the same on every device, picked from their id. */
export function colorFor(userId: string): string {
  let hash = 0;
  for (const char of userId) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return PALETTE[Math.abs(hash) % PALETTE.length] ?? PALETTE[0]!;
}

function userOf(state: unknown): AwarenessUser | null {
  if (typeof state !== 'object' || state === null) return null;
  const user = (state as { user?: unknown }).user;
  if (typeof user !== 'object' || user === null) return null;
  const { id, name, color } = user as { id?: unknown; name?: unknown; color?: unknown };
  if (typeof id !== 'string' || id === '') return null;
  const shownName = typeof name === 'string' && name.trim() !== '' ? name.trim().slice(0, 80) : 'Someone';
  const shownColor = typeof color === 'string' && /^#[0-9a-f]{6}$/i.test(color) ? color : colorFor(id);
  return { id, name: shownName, color: shownColor };
}

/**
 * [SW10] One entry per person present (several tabs of one person count once), this device's person
 * first, then by name. States without a usable `user` (still connecting, or malformed) are left out.
 */
export function presenceOf(states: ReadonlyMap<number, unknown>, selfClientId: number): PresentPerson[] {
  const selfId = userOf(states.get(selfClientId))?.id ?? null;
  const people = new Map<string, PresentPerson>();
  for (const state of states.values()) {
    const user = userOf(state);
    if (user === null) continue;
    const seen = people.get(user.id);
    people.set(
      user.id,
      seen ? { ...seen, clients: seen.clients + 1 } : { ...user, self: user.id === selfId, clients: 1 },
    );
  }
  return [...people.values()].sort(
    (a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
  );
}

/** [SW10] "Only you" / "You and Ana" / "You, Ana and Ben": the line that says who is here. */
export function presenceLine(people: readonly PresentPerson[]): string {
  const names = people.map((person) => (person.self ? 'You' : person.name));
  if (names.length === 0) return 'No one is connected';
  if (names.length === 1) return names[0] === 'You' ? 'Only you are here' : `${names[0]} is here`;
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are here`;
}
