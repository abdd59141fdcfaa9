// The forms' own checks (SPEC.md AU3): the same rules the server holds (AC2), before anything is sent.
import { describe, expect, it } from 'vitest';
import { hasErrors, passwordChecks, PASSWORD_RULES, validateSignIn, validateSignUp } from './policy';

const good = { displayName: 'Ana Lima', email: 'ana@example.org', password: 'amber river lantern' };

describe('[AU3] sign-up checks', () => {
  it('[AU3] a complete form with a good password may be sent', () => {
    expect(validateSignUp(good)).toEqual({});
    expect(hasErrors(validateSignUp(good))).toBe(false);
  });

  it('[AU3] a password under 10 characters is refused, saying how many there are', () => {
    expect(validateSignUp({ ...good, password: 'short1' }).password).toMatch(
      /at least 10 characters.*\(6 so far\)/,
    );
  });

  it('[AU3] length counts characters, not UTF-16 units: ten emoji are ten characters', () => {
    expect(validateSignUp({ ...good, password: '🔥'.repeat(5) + 'ab🌙🌙🌙' }).password).toBeUndefined();
  });

  it('[AU3] the email, or its local part, is refused as a password', () => {
    expect(validateSignUp({ ...good, password: 'ana@example.org' }).password).toMatch(/not be your email/);
    expect(
      validateSignUp({ ...good, email: 'longname@example.org', password: 'LongName' + 'xx' }).password,
    ).toBeUndefined();
    expect(
      validateSignUp({ ...good, email: 'ana.lima.rivera@example.org', password: 'ana.lima.rivera' }).password,
    ).toMatch(/not be your email/);
  });

  it('[AU3] one repeated character is refused as easy to guess', () => {
    expect(validateSignUp({ ...good, password: 'aaaaaaaaaaaa' }).password).toMatch(/easy to guess/);
  });

  it('[AU3] every empty field is named with what to do', () => {
    expect(validateSignUp({ displayName: '  ', email: '', password: '' })).toEqual({
      displayName: 'Enter the name people will see.',
      email: 'Enter your email address.',
      password: 'Choose a password.',
    });
  });

  it('[AU3] an address without a domain is refused with an example', () => {
    expect(validateSignUp({ ...good, email: 'ana@' }).email).toMatch(/valid email address, e\.g\./);
  });

  it('[AU3] a name over 80 characters is refused', () => {
    expect(validateSignUp({ ...good, displayName: 'x'.repeat(81) }).displayName).toMatch(/at most 80/);
  });
});

describe('[AU3] the password rules shown up front', () => {
  it('[AU3] the three rules are listed before anything is typed, none met yet', () => {
    expect(PASSWORD_RULES.map((rule) => rule.id)).toEqual(['length', 'not-email', 'not-common']);
    expect(passwordChecks('', '').map((check) => check.met)).toEqual([false, false, false]);
  });

  it('[AU3] a good password meets all three rules, the common-password list included (the shared policy)', () => {
    expect(passwordChecks(good.password, good.email).map((check) => check.met)).toEqual([true, true, true]);
    expect(passwordChecks('Password123', good.email)[2]?.met).toBe(false);
  });

  it('[AU3] the email rule follows the email field as it changes', () => {
    expect(passwordChecks('ana@example.org!', 'ana@example.org')[1]?.met).toBe(false);
    expect(passwordChecks('ana@example.org!', 'bo@example.org')[1]?.met).toBe(true);
  });
});

describe('[AU3] sign-in checks', () => {
  it('[AU3] sign-in asks only for an email and a password (no policy: old passwords still work)', () => {
    expect(validateSignIn({ email: 'demo@hearth.local', password: 'x' })).toEqual({});
    expect(validateSignIn({ email: ' ', password: '' })).toEqual({
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });
});
