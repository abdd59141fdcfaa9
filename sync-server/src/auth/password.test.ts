import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './password';

const EMAIL = 'Ana.Perez@Example.org';

describe('password policy', () => {
  it('[AC2] needs at least 10 characters, counted as characters not bytes', () => {
    expect(passwordProblem('short-pw9', EMAIL)?.rule).toBe('too_short');
    expect(passwordProblem('ünïcödé-ök', EMAIL)).toBeNull();
    expect(passwordProblem('🔥🔥🌊🌊🌲🌲⛰⛰🌙☀', EMAIL)).toBeNull();
    expect(passwordProblem('🔥🌊🌲⛰🌙', EMAIL)?.rule).toBe('too_short');
  });

  it('[AC2] accepts a long passphrase up to the cap and refuses beyond it', () => {
    expect(passwordProblem('correct horse battery staple', EMAIL)).toBeNull();
    expect(passwordProblem('x'.repeat(PASSWORD_MAX_LENGTH - 1) + 'y', EMAIL)).toBeNull();
    expect(passwordProblem('xy'.repeat(PASSWORD_MAX_LENGTH), EMAIL)?.rule).toBe('too_long');
  });

  it('[AC2] may not be the email, contain it, or be its local part, in any case', () => {
    expect(passwordProblem('ana.perez@example.org', EMAIL)?.rule).toBe('is_email');
    expect(passwordProblem('my ANA.PEREZ@EXAMPLE.ORG!', EMAIL)?.rule).toBe('is_email');
    expect(passwordProblem('Ana.Perez', 'ana.perez@example.org')).not.toBeNull();
    expect(passwordProblem('ana.perez.1', 'ana.perez.1@example.org')?.rule).toBe('is_email');
    expect(passwordProblem('ana perez writes stories', EMAIL)).toBeNull();
  });

  it('[AC2] refuses the most common passwords and one repeated character', () => {
    for (const common of ['1234567890', 'Password123', 'QWERTYUIOP', 'iloveyou12', '1q2w3e4r5t'])
      expect(passwordProblem(common, EMAIL)?.rule).toBe('common');
    expect(passwordProblem('aaaaaaaaaaaa', EMAIL)?.rule).toBe('common');
  });

  it('[AC2] every message says what to do and never repeats the password', () => {
    const password = 'password123';
    const problem = passwordProblem(password, EMAIL);
    expect(problem?.message).toMatch(/Choose something else/);
    expect(problem?.message).not.toContain(password);
    expect(passwordProblem('abc', EMAIL)?.message).toMatch(/at least 10 characters/);
  });
});
