// What the sign-in and sign-up forms check before anything is sent (AU3 in ./SPEC.md): the same
// password rules the server holds (sync-server/src/auth/password.ts, AC2), shown up front and checked
// as the person types. The server stays the judge: its `weak_password` answer is shown as it says.

/** AC2's numbers; the server refuses what breaks them with `weak_password`. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;
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

/** `met` is null where only the server can tell (the common-password list stays on the server). */
export interface PasswordCheck {
  readonly rule: PasswordRule;
  readonly met: boolean | null;
}

function characters(text: string): number {
  return [...text.normalize('NFKC')].length;
}

function isEmailLike(password: string, email: string): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  const address = email.trim().toLowerCase();
  if (address === '') return false;
  const localPart = address.split('@')[0] ?? address;
  return lower.includes(address) || lower === localPart;
}

/** Each rule of PASSWORD_RULES against what is typed so far. */
export function passwordChecks(password: string, email: string): readonly PasswordCheck[] {
  return PASSWORD_RULES.map((rule) => {
    switch (rule.id) {
      case 'length': {
        const length = characters(password);
        return { rule, met: length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH };
      }
      case 'not-email':
        return { rule, met: password === '' ? false : !isEmailLike(password, email) };
      case 'not-common':
        // One repeated character is the one "common" case the client can see for itself.
        return {
          rule,
          met: password === '' ? false : new Set(password.toLowerCase()).size > 1 ? null : false,
        };
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
  const length = characters(password);
  if (length < PASSWORD_MIN_LENGTH)
    return `Use at least ${PASSWORD_MIN_LENGTH} characters for your password (${length} so far).`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters for your password.`;
  if (isEmailLike(password, email)) return 'Your password must not be your email address.';
  if (new Set(password.toLowerCase()).size === 1)
    return 'A password of one repeated character is easy to guess. Choose something else.';
  return undefined;
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
