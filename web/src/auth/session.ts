// Who is signed in on this device, and the account actions (./SPEC.md): sign in, sign up, refresh
// from `/api/me`, and the sign-out flow (./signout-flow) that flushes or warns, tells the server, and
// clears the user's replica rows and outbox (./local-data). The identity is read live from the
// replica, so it shows offline and in every tab; tabs also hear of sign-ins and sign-outs on
// AUTH_CHANNEL.
import { ErrorCode } from '@hearth/schema/errors';
import type { SiteRole } from '@hearth/schema/mutations/index';
import { IDENTITY_TABLE } from '../db/local-schema';
import type { HearthClient } from '../outbox/client';
import { withSyncStopped } from '../sync/client';
import { readIdentity, writeIdentity, type Identity } from '../outbox/store';
import { httpAuthApi, type AuthApi, type AuthResult, type MeBody, type OidcProvider } from './api';
import { clearReplicaForNewUser, clearSignedOutUser } from './local-data';
import { failureText } from './messages';
import { authStatus, FIRST_CHECK_BOUND_MS, type AuthStatus, type ServerCheck } from './phase';
import {
  profileOf,
  readProfile,
  setSignOutOwed,
  signOutOwed,
  writeProfile,
  type KeyValueStore,
} from './profile';
import { FLUSH_TIMEOUT_MS, IDLE, signOutStep, type SignOutEvent, type SignOutState } from './signout-flow';

/** Tabs tell each other about sign-ins and sign-outs; sync can listen to restart under the new session. */
export const AUTH_CHANNEL = 'hearth-auth';
export type AuthMessage =
  { readonly type: 'signed-in'; readonly userId: string } | { readonly type: 'signed-out' };

export interface Account {
  readonly userId: string;
  readonly siteRole: SiteRole;
  /** From the replica's `users` view when it holds the row (sync, or a pending profile edit), else `/api/me`'s last answer. */
  readonly displayName: string | null;
  readonly email: string | null;
}

export type SignOutScope = 'device' | 'everywhere';

export interface AuthState {
  /**
   * `loading`: not known yet (AU14): until the replica's identity has been read and, when it holds
   * none, until the page's first `/api/me` check is over. Gated screens render nothing meanwhile.
   */
  readonly status: AuthStatus;
  readonly account: Account | null;
  /** The server answered 401 to `/api/me` while this device still holds the identity (AU12). */
  readonly sessionEnded: boolean;
  readonly signOut: SignOutState;
  readonly signOutScope: SignOutScope;
}

export interface Auth {
  readonly getState: () => AuthState;
  readonly subscribe: (listener: () => void) => () => void;
  readonly signIn: (input: { email: string; password: string }) => Promise<AuthResult<Account>>;
  readonly signUp: (input: {
    email: string;
    password: string;
    displayName: string;
  }) => Promise<AuthResult<Account>>;
  readonly providers: () => Promise<AuthResult<readonly OidcProvider[]>>;
  /** Ends a sign-out the server still owes, then asks `/api/me` (AU11, AU12). Quiet offline. */
  readonly refresh: () => Promise<void>;
  /** Starts the sign-out flow (AU7): flush, or ask, then sign out. */
  readonly requestSignOut: (scope?: SignOutScope) => void;
  /** Cancel in the dialog: stays signed in, nothing discarded. */
  readonly cancelSignOut: () => void;
  /** "Sign out anyway": the pending changes go with the rest. */
  readonly discardAndSignOut: () => void;
  /** Called when this device signs out, from this tab or another. */
  readonly onSignedOut: (listener: () => void) => () => void;
  readonly close: () => Promise<void>;
}

export interface AuthOptions {
  readonly api?: AuthApi;
  readonly storage?: KeyValueStore;
  readonly online?: () => boolean;
  readonly flushTimeoutMs?: number;
  /** Runs a rewrite of the synced layer with the sync stopped (SY11); `withSyncStopped` by default. */
  readonly stopSync?: <T>(rewrite: () => Promise<T>) => Promise<T>;
}

interface IdentityRow {
  user_id: string;
  site_role: SiteRole;
  display_name: string | null;
}

/** The identity and, when the replica holds it, the name as the views show it (with pending edits). */
const IDENTITY_SQL = `
  select i.user_id, i.site_role, u.display_name
    from ${IDENTITY_TABLE} i left join public.users u on u.id = i.user_id`;

const ok = <T>(value: T): AuthResult<T> => ({ ok: true, value });

export function createAuth(client: HearthClient, options: AuthOptions = {}): Auth {
  const online = options.online ?? (() => navigator.onLine);
  const api = options.api ?? httpAuthApi({ online });
  const storage = options.storage ?? window.localStorage;
  const flushTimeoutMs = options.flushTimeoutMs ?? FLUSH_TIMEOUT_MS;
  const stopSync = options.stopSync ?? withSyncStopped;
  const listeners = new Set<() => void>();
  const signedOutListeners = new Set<() => void>();
  const channel = new BroadcastChannel(AUTH_CHANNEL);
  const cleanups: (() => Promise<void> | void)[] = [];

  let row: IdentityRow | null | undefined;
  let firstCheck: ServerCheck = 'not-asked';
  /** `/api/me` has answered (after that, the first check ends when its answer is on this device). */
  let meAnswered = false;
  let sessionEnded = false;
  let signOut: SignOutState = IDLE;
  let scope: SignOutScope = 'device';
  let state = compute();
  let refreshing: Promise<void> | null = null;
  let stopWatching: (() => void) | null = null;

  function compute(): AuthState {
    const base = { sessionEnded: false, signOut, signOutScope: scope };
    const status = authStatus(row === undefined ? 'unread' : row === null ? 'none' : 'present', firstCheck);
    if (row === undefined || row === null) return { ...base, status, account: null };
    const profile = readProfile(storage);
    const known = profile?.userId === row.user_id ? profile : null;
    return {
      ...base,
      status,
      sessionEnded,
      account: {
        userId: row.user_id,
        siteRole: row.site_role,
        displayName: row.display_name ?? known?.displayName ?? null,
        email: known?.email ?? null,
      },
    };
  }

  function changed(): void {
    state = compute();
    for (const listener of listeners) listener();
  }

  function signedOut(): void {
    for (const listener of signedOutListeners) listener();
  }

  const onOnline = () => {
    refresh().catch((error: unknown) => console.warn('Hearth: could not check the session:', error));
  };
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key.startsWith('hearth.')) changed();
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('storage', onStorage);
  channel.addEventListener('message', (event: MessageEvent<AuthMessage>) => {
    // The live query follows the identity too; reading it again does not depend on its timing.
    reread()
      .catch(() => undefined)
      .finally(() => {
        if (event.data.type === 'signed-out') signedOut();
      });
  });
  cleanups.push(() => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('storage', onStorage);
    channel.close();
  });

  const watching = client.replica.then(async ({ db }) => {
    const live = await db.live.query<IdentityRow>(IDENTITY_SQL, [], (results) => {
      row = results.rows[0] ?? null;
      changed();
      // Signed in by another path (an OIDC return, another tab, the console): learn the name once.
      if (row !== null && readProfile(storage)?.userId !== row.user_id && online()) onOnline();
    });
    row = live.initialResults.rows[0] ?? null;
    changed();
    cleanups.push(() => live.unsubscribe());
  });
  // A replica that fails to open is reported by the shell; the header then offers "Sign in".
  watching.catch(() => {
    row = null;
    changed();
  });

  async function reread(): Promise<void> {
    const { db } = await client.replica;
    const { rows } = await db.query<IdentityRow>(IDENTITY_SQL);
    row = rows[0] ?? null;
    changed();
  }

  /** [AU6][AU10] The server said who signed in: this device now belongs to them. */
  async function adopt(me: MeBody): Promise<Account> {
    const replica = await client.replica;
    const { db } = replica;
    const identity: Identity = { userId: me.user.id, siteRole: me.roles.site };
    const previous = await readIdentity(db);
    setSignOutOwed(storage, false);
    writeProfile(storage, profileOf(me));
    // [SY11] The synced layer changes hands only while the sync is stopped, so none of its commits
    // lands after the clear; it resumes under the new identity.
    if (previous !== null && previous.userId !== identity.userId)
      await stopSync(() => clearReplicaForNewUser(db, identity));
    else await writeIdentity(db, identity);
    // [AU14] The replica flushes lazily (db/STORAGE.md): a reload right after signing in must find
    // the identity, offline too, instead of a signed-out device.
    await replica
      .flush()
      .catch((error: unknown) =>
        console.warn('Hearth: the sign-in is not stored on this device yet:', error),
      );
    sessionEnded = false;
    // Wakes the outbox sender here and in the other tabs (OB9); it asks /api/me itself.
    await client.refreshIdentity().catch(() => null);
    channel.postMessage({ type: 'signed-in', userId: identity.userId } satisfies AuthMessage);
    // The identity is known now, not when the live query next reports it (AU14: no signed-out gap).
    await reread().catch(changed);
    return {
      userId: identity.userId,
      siteRole: identity.siteRole,
      displayName: me.user.displayName,
      email: me.email ?? null,
    };
  }

  async function adopted(result: AuthResult<MeBody>): Promise<AuthResult<Account>> {
    if (!result.ok) return result;
    try {
      return ok(await adopt(result.value));
    } catch (error) {
      return { ok: false, failure: { kind: 'device', detail: String(error) } };
    }
  }

  async function refreshNow(): Promise<void> {
    if (!online()) return;
    if (signOutOwed(storage)) {
      const ended = await api.signOut();
      // A 4xx will not get better by asking again; offline, a network error or a 5xx will.
      const settled = ended.ok || (ended.failure.kind === 'refused' && ended.failure.status < 500);
      if (!settled) return;
      setSignOutOwed(storage, false);
    }
    const me = await api.me();
    meAnswered = true;
    if (!me.ok) return; // offline or the server is away: keep what this device knows
    if (me.value === null) {
      sessionEnded = row !== null && row !== undefined;
      changed();
      return;
    }
    await adopt(me.value);
  }

  function refresh(): Promise<void> {
    refreshing ??= refreshNow().finally(() => {
      refreshing = null;
      firstCheckOver();
    });
    if (firstCheck === 'not-asked') {
      firstCheck = 'pending';
      // A server that never answers must not keep the gated screens blank: past the bound, the
      // replica alone decides (AU14). An answer in time is waited for until this device holds it.
      const bound = setTimeout(() => {
        if (!meAnswered) firstCheckOver();
      }, FIRST_CHECK_BOUND_MS);
      cleanups.push(() => clearTimeout(bound));
      changed();
    }
    return refreshing;
  }

  function firstCheckOver(): void {
    if (firstCheck !== 'pending') return;
    firstCheck = 'done';
    changed();
  }

  function unwatch(): void {
    stopWatching?.();
    stopWatching = null;
  }

  /** While the flow waits (flushing) or asks (confirm), the outbox's changes move it on. */
  function watchOutbox(withTimer: boolean): void {
    unwatch();
    const unsubscribe = client.subscribe(() => {
      const status = client.getStatus();
      dispatch({ type: 'outbox', pending: status.pending, online: status.online });
    });
    const timer = withTimer ? setTimeout(() => dispatch({ type: 'timeout' }), flushTimeoutMs) : undefined;
    stopWatching = () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  function dispatch(event: SignOutEvent): void {
    const next = signOutStep(signOut, event);
    if (next === signOut) return;
    const previous = signOut;
    signOut = next;
    if (next.phase === 'flushing' && previous.phase !== 'flushing') watchOutbox(true);
    else if (next.phase === 'confirm' && previous.phase !== 'confirm') watchOutbox(false);
    else if (next.phase !== 'flushing' && next.phase !== 'confirm') unwatch();
    changed();
    if (next.phase === 'signing-out' && previous.phase !== 'signing-out')
      finishSignOut().catch((error: unknown) =>
        dispatch({
          type: 'failed',
          message: `Signing out did not finish on this device (${String(error)}). Reload the page and try again.`,
        }),
      );
  }

  /** [AU8][AU9][AU11] Tells the server, then clears this device in one local transaction. */
  async function finishSignOut(): Promise<void> {
    if (scope === 'everywhere') {
      const result = await api.signOutEverywhere();
      // 401: this device's session was already over; the local part still has to happen.
      if (
        !result.ok &&
        !(result.failure.kind === 'refused' && result.failure.code === ErrorCode.unauthenticated)
      ) {
        dispatch({ type: 'failed', message: failureText(result.failure, 'sign-out-everywhere').message });
        return;
      }
    } else {
      const result = await api.signOut();
      setSignOutOwed(storage, !result.ok);
    }
    const replica = await client.replica;
    const { db } = replica;
    await stopSync(async () => {
      const identity = await readIdentity(db);
      if (identity === null) await clearReplicaForNewUser(db, null);
      else await clearSignedOutUser(db, identity.userId);
    });
    // The replica flushes lazily (db/STORAGE.md): a reload right now must not bring this user's rows back.
    await replica
      .flush()
      .catch((error: unknown) => console.warn('Hearth: the cleared replica is not stored yet:', error));
    writeProfile(storage, null);
    sessionEnded = false;
    channel.postMessage({ type: 'signed-out' } satisfies AuthMessage);
    dispatch({ type: 'done' });
    signedOut();
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signIn: async (input) => adopted(await api.signIn(input)),
    signUp: async (input) => adopted(await api.signUp(input)),
    providers: () => api.providers(),
    refresh,
    requestSignOut(requested = 'device') {
      if (signOut.phase === 'idle' || signOut.phase === 'failed') {
        scope = requested;
        if (signOut.phase === 'failed') dispatch({ type: 'cancel' });
      }
      const status = client.getStatus();
      dispatch({
        type: 'start',
        pending: status.pending,
        online: status.online,
        canSend: status.sender !== 'signed-out' && !sessionEnded,
      });
    },
    cancelSignOut: () => dispatch({ type: 'cancel' }),
    discardAndSignOut: () => dispatch({ type: 'discard' }),
    onSignedOut(listener) {
      signedOutListeners.add(listener);
      return () => signedOutListeners.delete(listener);
    },
    async close() {
      unwatch();
      await watching.catch(() => undefined);
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}
