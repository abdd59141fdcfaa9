// Passwords: argon2id hashing through @node-rs/argon2 with the library's defaults (m=19456 KiB, t=2,
// p=1: OWASP's argon2id baseline), the same call the demo seed makes. The policy itself (AC2) is the
// shared one in schema/src/password-policy.ts, which the sign-up form checks too.
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { normalizePassword } from '@hearth/schema/password-policy';

export {
  normalizePassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
  type PasswordProblem,
} from '@hearth/schema/password-policy';

/** `Algorithm.Argon2id`: a const enum, which verbatimModuleSyntax cannot read at runtime. */
const ARGON2ID = 2 as Algorithm.Argon2id;

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
