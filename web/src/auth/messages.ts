// What a person reads when an account action did not work (AU4, AU5 in ./SPEC.md). The server's
// message is shown for its typed code; the code (never the message) picks any special handling:
// a retry time for `rate_limited`, a hint to sign in for `signup_refused`, plain words for OIDC returns.
import { ErrorCode } from '@hearth/schema/errors';
import type { AuthFailure } from './api';

export type AuthAction = 'sign-in' | 'sign-up' | 'sign-out' | 'sign-out-everywhere';

const NEEDS_CONNECTION: Record<AuthAction, string> = {
  'sign-in': 'Signing in needs a connection. You are offline: connect to the internet and try again.',
  'sign-up':
    'Creating an account needs a connection. You are offline: connect to the internet and try again.',
  'sign-out': 'Signing out of the server needs a connection.',
  'sign-out-everywhere':
    'Signing out of all devices needs a connection. You are offline: connect to the internet and try again.',
};

/** "45 seconds", "4 minutes", "2 hours": rounded up, so waiting that long is always enough. */
export function waitText(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 60 * 60) return plural(Math.ceil(seconds / 60), 'minute');
  return plural(Math.ceil(seconds / 3600), 'hour');
}

export interface FailureText {
  readonly message: string;
  /** The code the screen may switch on (e.g. a "Sign in instead" link for `signup_refused`). */
  readonly code: string;
}

/** The message for a failed account action. */
export function failureText(failure: AuthFailure, action: AuthAction): FailureText {
  switch (failure.kind) {
    case 'offline':
      return { code: 'offline', message: NEEDS_CONNECTION[action] };
    case 'network':
      return {
        code: 'network',
        message: 'Hearth’s server could not be reached. Check your connection and try again.',
      };
    case 'device':
      return {
        code: 'device',
        message: `This device’s local database could not be updated (${failure.detail}). Reload the page and try again.`,
      };
    case 'refused':
      return { code: failure.code, message: refusalText(failure, action) };
  }
}

function refusalText(failure: Extract<AuthFailure, { kind: 'refused' }>, action: AuthAction): string {
  const server = failure.message.trim();
  switch (failure.code) {
    case ErrorCode.rateLimited:
      return failure.retryAfterSeconds === null
        ? server || 'Too many attempts. Wait a few minutes and try again.'
        : `Too many attempts. Try again in ${waitText(failure.retryAfterSeconds)}.`;
    case ErrorCode.invalidCredentials:
      return server || 'That email and password do not match an account. Check both and try again.';
    case ErrorCode.signupRefused:
      return (
        server || 'We could not create an account with this email. If you already have one, sign in instead.'
      );
    case ErrorCode.csrfOriginMismatch:
      return 'This page’s address is not one Hearth’s server accepts. Open Hearth from its own address and try again.';
    case ErrorCode.unauthenticated:
      return action === 'sign-out-everywhere'
        ? 'This device’s session had already ended. Sign in again to sign out of your other devices.'
        : 'Your session has ended. Sign in again.';
    case ErrorCode.unavailable:
    case ErrorCode.internal:
      return server || 'Hearth’s server could not do that just now. Try again in a moment.';
    default:
      // weak_password, validation_failed and the rest: the server's message says what to change.
      return server || `Hearth’s server refused that (HTTP ${failure.status}). Try again in a moment.`;
  }
}

/** `?auth_error=<code>` after an OpenID Connect sign-in that did not succeed (OI7). */
export function oidcReturnText(code: string): string {
  switch (code) {
    case ErrorCode.oidcDenied:
      return 'Sign-in was cancelled at the provider, so you are not signed in. Try again, or use your email and password.';
    case ErrorCode.oidcFailed:
      return 'Signing in with that provider did not work. Try again, or sign in with your email and password.';
    case ErrorCode.oidcUnknownProvider:
      return 'That sign-in provider is not set up on this Hearth. Choose another way to sign in.';
    case ErrorCode.unavailable:
      return 'The sign-in provider could not be reached. Try again in a few minutes, or use your email and password.';
    default:
      return 'Signing in did not work. Try again, or sign in with your email and password.';
  }
}

/** "1 change" / "3 changes". */
export function changesText(n: number): string {
  return n === 1 ? '1 change' : `${n} changes`;
}

/** The warning before pending changes are dropped by a sign-out (AU8). */
export function discardWarning(pending: number): string {
  return `${changesText(pending)} ${pending === 1 ? 'hasn’t' : 'haven’t'} reached the server yet; signing out will discard ${pending === 1 ? 'it' : 'them'}.`;
}
