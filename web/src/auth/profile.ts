// Small facts about the signed-in person kept in localStorage, beside the replica's identity row
// (hearth_local.identity holds only id and role): the name and email to show offline, and a sign-out
// the server still owes (AU11: the session cookie is HttpOnly, so only the server can end it).
import { z } from 'zod';
import type { MeBody } from './api';

export const PROFILE_KEY = 'hearth.account';
export const SIGNOUT_OWED_KEY = 'hearth.signout-owed';

export interface AccountProfile {
  readonly userId: string;
  readonly displayName: string;
  readonly email: string | null;
}

const profileSchema = z.object({ userId: z.string(), displayName: z.string(), email: z.string().nullable() });

/** What of localStorage this needs; a private window may refuse it, so every use is guarded. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function profileOf(me: MeBody): AccountProfile {
  return { userId: me.user.id, displayName: me.user.displayName, email: me.email ?? null };
}

export function readProfile(storage: KeyValueStore): AccountProfile | null {
  try {
    const raw = storage.getItem(PROFILE_KEY);
    if (raw === null) return null;
    const parsed = profileSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeProfile(storage: KeyValueStore, profile: AccountProfile | null): void {
  try {
    if (profile === null) storage.removeItem(PROFILE_KEY);
    else storage.setItem(PROFILE_KEY, JSON.stringify(profile));
  } catch {
    // Without storage the name shows only while online; nothing else depends on it.
  }
}

export function signOutOwed(storage: KeyValueStore): boolean {
  try {
    return storage.getItem(SIGNOUT_OWED_KEY) !== null;
  } catch {
    return false;
  }
}

export function setSignOutOwed(storage: KeyValueStore, owed: boolean): void {
  try {
    if (owed) storage.setItem(SIGNOUT_OWED_KEY, '1');
    else storage.removeItem(SIGNOUT_OWED_KEY);
  } catch {
    // Nothing to remember it in: the next online start asks /api/me, which may still be signed in.
  }
}
