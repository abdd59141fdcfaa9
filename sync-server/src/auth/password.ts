// Passwords: the minimum policy (pure, AC2) and argon2id hashing through @node-rs/argon2 with the
// library's defaults (m=19456 KiB, t=2, p=1: OWASP's argon2id baseline), the same call the demo seed
// makes. Passwords are NFKC-normalized first so the same characters typed on another keyboard match.
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

export const PASSWORD_MIN_LENGTH = 10;
/** Long passphrases are welcome; the cap bounds the work one request can ask of the hasher. */
export const PASSWORD_MAX_LENGTH = 1024;

/** `Algorithm.Argon2id`: a const enum, which verbatimModuleSyntax cannot read at runtime. */
const ARGON2ID = 2 as Algorithm.Argon2id;

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

/** Pure (AC2): why this password may not be used for this email, or null when it may. */
export function passwordProblem(password: string, email: string): PasswordProblem | null {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH)
    return {
      rule: 'too_short',
      message: `Use at least ${PASSWORD_MIN_LENGTH} characters for your password; a few unrelated words make a strong one.`,
    };
  if (length > PASSWORD_MAX_LENGTH)
    return { rule: 'too_long', message: `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.` };
  const lower = normalized.toLowerCase();
  const address = email.trim().toLowerCase();
  const localPart = address.split('@')[0] ?? address;
  if (address !== '' && (lower.includes(address) || lower === localPart))
    return {
      rule: 'is_email',
      message: 'Your password must not be your email address. Choose something else.',
    };
  if (COMMON_PASSWORDS.has(lower) || new Set(lower).size === 1)
    return {
      rule: 'common',
      message: 'This password is one of the most common ones and is easy to guess. Choose something else.',
    };
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), { algorithm: ARGON2ID });
}

/** False for a wrong password and for a hash this library cannot read. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalizePassword(password));
  } catch {
    return false;
  }
}

/**
 * A hash of a random secret, verified against when the account does not exist or has no password,
 * so an unknown email costs the same time as a wrong password (AC4).
 */
export function dummyPasswordHash(): Promise<string> {
  return hashPassword(randomBytes(32).toString('base64url'));
}
