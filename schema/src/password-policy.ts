// The password policy (AC2 in sync-server/src/auth/SPEC.md), pure and shared: the server refuses what
// breaks it with `weak_password`, and the sign-up form checks the same rules before anything is sent.
// Passwords are NFKC-normalized first so the same characters typed on another keyboard match.

/** Characters (code points after NFKC), not UTF-16 units. */
export const PASSWORD_MIN_LENGTH = 10;
/** Long passphrases are welcome; the cap bounds the work one request can ask of the hasher. */
export const PASSWORD_MAX_LENGTH = 1024;

/**
 * The most common passwords of at least PASSWORD_MIN_LENGTH characters in public breach corpora
 * (shorter ones already fail the length rule). Compared case-insensitively.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890',
  '12345678910',
  '123456789a',
  '0123456789',
  '0987654321',
  '1111111111',
  '1234512345',
  '1q2w3e4r5t',
  '1q2w3e4r5t6y',
  'q1w2e3r4t5',
  'qwertyuiop',
  'qwerty1234',
  'qwerty12345',
  'qwerty123456',
  '1qaz2wsx3edc',
  'zaq12wsxcde3',
  'asdfghjkl;',
  'asdfghjkl1',
  'zxcvbnm123',
  'password12',
  'password123',
  'password1234',
  'password!1',
  'passw0rd123',
  'p@ssw0rd123',
  'iloveyou12',
  'iloveyou123',
  'abcdefghij',
  'abcd123456',
  'abc1234567',
  'a123456789',
  'letmein123',
  'welcome123',
  'welcome1234',
  'sunshine123',
  'football123',
  'baseball123',
  'princess123',
  'monkey1234',
  'dragon1234',
  'superman123',
  'trustno1234',
  'changeme123',
  'administrator',
  'admin12345',
  'admin123456',
  'qwertyqwerty',
  'passwordpassword',
  'hearth12345',
  'hearthpassword',
]);

export interface PasswordProblem {
  readonly rule: 'too_short' | 'too_long' | 'is_email' | 'common';
  /** Says what to change; never repeats the password. */
  readonly message: string;
}

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** The email address, or its local part alone, used as the password (compared case-insensitively). */
export function looksLikeEmail(password: string, email: string): boolean {
  const lower = normalizePassword(password).toLowerCase();
  const address = email.trim().toLowerCase();
  if (address === '') return false;
  const localPart = address.split('@')[0] ?? address;
  return lower.includes(address) || lower === localPart;
}

/** On the common-passwords list, or one character repeated. */
export function isCommonPassword(password: string): boolean {
  const lower = normalizePassword(password).toLowerCase();
  return COMMON_PASSWORDS.has(lower) || new Set(lower).size === 1;
}

/** Length in characters (code points after NFKC), as the rule counts it. */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length;
}

/** Pure (AC2): why this password may not be used for this email, or null when it may. */
export function passwordProblem(password: string, email: string): PasswordProblem | null {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH)
    return {
      rule: 'too_short',
      message: `Use at least ${PASSWORD_MIN_LENGTH} characters for your password; a few unrelated words make a strong one.`,
    };
  if (length > PASSWORD_MAX_LENGTH)
    return { rule: 'too_long', message: `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.` };
  if (looksLikeEmail(password, email))
    return {
      rule: 'is_email',
      message: 'Your password must not be your email address. Choose something else.',
    };
  if (isCommonPassword(password))
    return {
      rule: 'common',
      message: 'This password is one of the most common ones and is easy to guess. Choose something else.',
    };
  return null;
}
