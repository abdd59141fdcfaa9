// What a person reads when an account action fails (SPEC.md AU4, AU5, AU8): chosen by the code.
import { ErrorCode } from '@hearth/schema/errors';
import { describe, expect, it } from 'vitest';
import type { AuthFailure } from './api';
import { changesText, discardWarning, failureText, oidcReturnText, waitText } from './messages';

const refused = (
  code: string,
  message = '',
  retryAfterSeconds: number | null = null,
  status = 400,
): AuthFailure => ({
  kind: 'refused',
  status,
  code,
  message,
  retryAfterSeconds,
});

describe('[AU4] refusals by typed code', () => {
  it('[AU4] rate_limited says when to try again, from Retry-After', () => {
    expect(failureText(refused(ErrorCode.rateLimited, 'Too many attempts.', 240), 'sign-in')).toEqual({
      code: 'rate_limited',
      message: 'Too many attempts. Try again in 4 minutes.',
    });
    expect(failureText(refused(ErrorCode.rateLimited, '', 1), 'sign-in').message).toBe(
      'Too many attempts. Try again in 1 second.',
    );
  });

  it('[AU4] rate_limited without Retry-After keeps the server’s message', () => {
    expect(
      failureText(refused(ErrorCode.rateLimited, 'Wait 30 seconds and try again.'), 'sign-up').message,
    ).toBe('Wait 30 seconds and try again.');
  });

  it('[AU4] invalid_credentials shows the server’s one generic message', () => {
    const generic = 'That email and password do not match an account. Check both and try again.';
    expect(failureText(refused(ErrorCode.invalidCredentials, generic), 'sign-in')).toEqual({
      code: 'invalid_credentials',
      message: generic,
    });
  });

  it('[AU4] weak_password and validation_failed show what the server says to change', () => {
    const weak = 'This password is one of the most common ones and is easy to guess. Choose something else.';
    expect(failureText(refused(ErrorCode.weakPassword, weak), 'sign-up').message).toBe(weak);
    expect(
      failureText(refused(ErrorCode.validationFailed, 'email: Enter a valid email.'), 'sign-up').message,
    ).toBe('email: Enter a valid email.');
  });

  it('[AU4] a code this version does not know still shows the server’s message', () => {
    expect(failureText(refused('brand_new_code', 'Something new.'), 'sign-in')).toEqual({
      code: 'brand_new_code',
      message: 'Something new.',
    });
  });

  it('[AU4] a refusal without a message still says something a person can act on', () => {
    expect(failureText(refused(ErrorCode.unavailable, '', null, 503), 'sign-in').message).toMatch(
      /Try again in a moment/,
    );
    expect(
      failureText(refused(ErrorCode.csrfOriginMismatch, 'Origin not allowed'), 'sign-in').message,
    ).toMatch(/Open Hearth from its own address/);
  });

  it('[AU4] offline and an unreachable server each get their own sentence', () => {
    expect(failureText({ kind: 'offline' }, 'sign-in').message).toMatch(/^Signing in needs a connection/);
    expect(failureText({ kind: 'offline' }, 'sign-up').message).toMatch(
      /^Creating an account needs a connection/,
    );
    expect(failureText({ kind: 'network', detail: 'Failed to fetch' }, 'sign-in').message).toMatch(
      /could not be reached/,
    );
  });
});

describe('[AU4] waiting times', () => {
  it('[AU4] are rounded up to a unit a person reads', () => {
    expect(waitText(0)).toBe('1 second');
    expect(waitText(59)).toBe('59 seconds');
    expect(waitText(61)).toBe('2 minutes');
    expect(waitText(3600)).toBe('1 hour');
    expect(waitText(3601)).toBe('2 hours');
  });
});

describe('[AU5] back from an OpenID Connect provider', () => {
  it('[AU5] each refusal code of OI7 reads as plain words, and an unknown one too', () => {
    expect(oidcReturnText(ErrorCode.oidcDenied)).toMatch(/cancelled at the provider/);
    expect(oidcReturnText(ErrorCode.oidcFailed)).toMatch(/did not work/);
    expect(oidcReturnText(ErrorCode.oidcUnknownProvider)).toMatch(/not set up/);
    expect(oidcReturnText(ErrorCode.unavailable)).toMatch(/could not be reached/);
    expect(oidcReturnText('<script>')).toBe(
      'Signing in did not work. Try again, or sign in with your email and password.',
    );
  });
});

describe('[AU8] the discard warning', () => {
  it('[AU8] counts the changes in words', () => {
    expect(discardWarning(1)).toBe('1 change hasn’t reached the server yet; signing out will discard it.');
    expect(discardWarning(3)).toBe(
      '3 changes haven’t reached the server yet; signing out will discard them.',
    );
    expect(changesText(2)).toBe('2 changes');
  });
});
