// What the sign-in and sign-up forms check before anything is sent (AU3 in ./SPEC.md): the password
// policy the server holds, from the one shared module (schema/src/password-policy.ts, AC2), shown up
// front and checked as the person types. The server stays the judge of what it receives.
import {
  isCommonPassword,
  looksLikeEmail,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordLength,
  passwordProblem as policyProblem,
} from '@hearth/schema/password-policy';

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };
export const DISPLAY_NAME_MAX_LENGTH = 80;

export type PasswordRuleId = 'length' | 'not-email' | 'not-common';

export interface PasswordRule {
  readonly id: PasswordRuleId;
  /** Shown before the person types, as a checklist. */
  readonly text: string;
}

export const PASSWORD_RULES: readonly PasswordRule[] = [
  { id: 'length', text: `At least ${PASSWORD_MIN_LENGTH} characters — a few unrelated words work well` },
  { id: 'not-email', text: 'Not your email address' },
  { id: 'not-common', text: 'Not a common password (like “password123”)' },
];

/** Whether what is typed so far meets the rule (`null`: cannot tell yet; kept for the screens). */
export interface PasswordCheck {
  readonly rule: PasswordRule;
  readonly met: boolean | null;
}

/** Each rule of PASSWORD_RULES against what is typed so far. */
export function passwordChecks(password: string, email: string): readonly PasswordCheck[] {
  return PASSWORD_RULES.map((rule) => {
    if (password === '') return { rule, met: false };
    switch (rule.id) {
      case 'length': {
        const length = passwordLength(password);
        return { rule, met: length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH };
      }
      case 'not-email':
        return { rule, met: !looksLikeEmail(password, email) };
      case 'not-common':
        return { rule, met: !isCommonPassword(password) };
    }
  });
}

export type SignUpField = 'displayName' | 'email' | 'password';
export type SignInField = 'email' | 'password';

/** Field -> what to fix, in the order the fields appear; empty when the form may be sent. */
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface SignUpInput {
  readonly displayName: string;
  readonly email: string;
  readonly password: string;
}

export interface SignInInput {
  readonly email: string;
  readonly password: string;
}

// The browser's own rule for <input type="email"> (HTML Living Standard, "valid e-mail address").
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function emailProblem(email: string): string | undefined {
  const trimmed = email.trim();
  if (trimmed === '') return 'Enter your email address.';
  if (trimmed.length > 320) return 'That email address is too long.';
  if (!EMAIL.test(trimmed)) return 'Enter a valid email address, e.g. ana@example.org.';
  return undefined;
}

function passwordProblem(password: string, email: string): string | undefined {
  if (password === '') return 'Choose a password.';
  const problem = policyProblem(password, email);
  if (problem === null) return undefined;
  // The shared rule's words, with how far the person got when it is the length.
  if (problem.rule === 'too_short') return `${problem.message} (${passwordLength(password)} so far)`;
  return problem.message;
}

function withoutUndefined<F extends string>(entries: [F, string | undefined][]): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const [field, problem] of entries) if (problem !== undefined) errors[field] = problem;
  return errors;
}

export function validateSignUp(input: SignUpInput): FieldErrors<SignUpField> {
  const name = input.displayName.trim();
  return withoutUndefined<SignUpField>([
    [
      'displayName',
      name === ''
        ? 'Enter the name people will see.'
        : name.length > DISPLAY_NAME_MAX_LENGTH
          ? `Use at most ${DISPLAY_NAME_MAX_LENGTH} characters for your name.`
          : undefined,
    ],
    ['email', emailProblem(input.email)],
    ['password', passwordProblem(input.password, input.email)],
  ]);
}

export function validateSignIn(input: SignInInput): FieldErrors<SignInField> {
  return withoutUndefined<SignInField>([
    ['email', emailProblem(input.email)],
    ['password', input.password === '' ? 'Enter your password.' : undefined],
  ]);
}

export function hasErrors(errors: FieldErrors<string>): boolean {
  return Object.keys(errors).length > 0;
}
