// The sign-out flow's pure core (AU7, AU8 in ./SPEC.md): flush what is pending when that can work,
// ask before discarding what could not be sent, then sign out. Events in, state out; the shell
// (./session.ts) owns the timer and the IO.

/** How long a sign-out waits for the outbox sender before asking (AU7). */
export const FLUSH_TIMEOUT_MS = 15_000;

export type ConfirmReason = 'offline' | 'timed-out' | 'cannot-send';

export type SignOutState =
  | { readonly phase: 'idle' }
  /** Waiting for the sender to deliver `pending` changes; "Sending N changes…". */
  | { readonly phase: 'flushing'; readonly pending: number }
  /** "N changes haven't reached the server yet; signing out will discard them" (Cancel / Sign out anyway). */
  | { readonly phase: 'confirm'; readonly pending: number; readonly reason: ConfirmReason }
  /** Telling the server and clearing this device; `discarded` changes go with it. */
  | { readonly phase: 'signing-out'; readonly discarded: number }
  | { readonly phase: 'failed'; readonly message: string };

export type SignOutEvent =
  /** The person asked to sign out. `canSend`: a sender may deliver now (not refused by the server). */
  | { readonly type: 'start'; readonly pending: number; readonly online: boolean; readonly canSend: boolean }
  /** The outbox or the connection changed. */
  | { readonly type: 'outbox'; readonly pending: number; readonly online: boolean }
  | { readonly type: 'timeout' }
  | { readonly type: 'cancel' }
  /** "Sign out anyway". */
  | { readonly type: 'discard' }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string };

export const IDLE: SignOutState = { phase: 'idle' };

export function signOutStep(state: SignOutState, event: SignOutEvent): SignOutState {
  switch (event.type) {
    case 'start':
      if (state.phase === 'flushing' || state.phase === 'confirm' || state.phase === 'signing-out')
        return state;
      if (event.pending === 0) return { phase: 'signing-out', discarded: 0 };
      if (!event.online) return { phase: 'confirm', pending: event.pending, reason: 'offline' };
      if (!event.canSend) return { phase: 'confirm', pending: event.pending, reason: 'cannot-send' };
      return { phase: 'flushing', pending: event.pending };
    case 'outbox':
      if (state.phase === 'flushing') {
        if (event.pending === 0) return { phase: 'signing-out', discarded: 0 };
        if (!event.online) return { phase: 'confirm', pending: event.pending, reason: 'offline' };
        return event.pending === state.pending ? state : { phase: 'flushing', pending: event.pending };
      }
      if (state.phase === 'confirm') {
        // Everything reached the server meanwhile: nothing is left to warn about.
        if (event.pending === 0) return { phase: 'signing-out', discarded: 0 };
        return event.pending === state.pending ? state : { ...state, pending: event.pending };
      }
      return state;
    case 'timeout':
      return state.phase === 'flushing'
        ? { phase: 'confirm', pending: state.pending, reason: 'timed-out' }
        : state;
    case 'cancel':
      return state.phase === 'flushing' || state.phase === 'confirm' || state.phase === 'failed'
        ? IDLE
        : state;
    case 'discard':
      return state.phase === 'confirm' ? { phase: 'signing-out', discarded: state.pending } : state;
    case 'done':
      return state.phase === 'signing-out' ? IDLE : state;
    case 'failed':
      return state.phase === 'signing-out' ? { phase: 'failed', message: event.message } : state;
  }
}
