// Whether this page knows yet who is signed in (AU14 in ./SPEC.md). Two sources answer: the replica's
// identity row (offline-first, may lag a sign-in the replica had not stored before a reload) and the
// page's first `/api/me` check. Until they agree enough, the status is `loading`: screens gated on
// sign-in show nothing rather than "Sign in to …" for a moment. Pure.

export type AuthStatus = 'loading' | 'signed-out' | 'signed-in';

/** The replica's identity as read so far: not read yet, no identity, or someone's. */
export type IdentityEvidence = 'unread' | 'none' | 'present';

/**
 * The page's first `/api/me` check: not asked (nobody called refresh), pending, or done (answered,
 * failed, offline, or given up after its bound).
 */
export type ServerCheck = 'not-asked' | 'pending' | 'done';

/** How long the first check waits for `/api/me` to answer before the replica alone decides. */
export const FIRST_CHECK_BOUND_MS = 4_000;

/**
 * [AU14] Signed in as soon as the replica holds an identity (so it shows offline at once); signed out
 * only once the replica holds none AND the first server check is over, since a reload right after a
 * sign-in may find a replica that had not stored it yet, or an OIDC return an empty one.
 */
export function authStatus(identity: IdentityEvidence, server: ServerCheck): AuthStatus {
  if (identity === 'unread') return 'loading';
  if (identity === 'present') return 'signed-in';
  return server === 'pending' ? 'loading' : 'signed-out';
}
