// Pieces the account forms share: a labelled field with its error, the form's alert, the offline
// note, the provider buttons and the password checklist (AU3–AU5 in ./SPEC.md).
import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { Link } from '../app/router';
import type { OidcProvider } from './api';
import type { FailureText } from './messages';
import { passwordChecks } from './policy';
import { useAuth } from './react';

type FieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  /** Ids of extra text that describes the field (the password rules). */
  describedBy?: string;
  hint?: ReactNode;
};

/** The email field of the sign-in and sign-up forms: phone keyboards show @, nothing autocorrects it. */
export function EmailField(props: {
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
}) {
  return (
    <Field
      label="Email"
      type="email"
      name="email"
      autoComplete="email"
      inputMode="email"
      autoCapitalize="none"
      spellCheck={false}
      required
      {...props}
    />
  );
}

export function Field({ label, value, onValue, error, describedBy, hint, ...input }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [error ? errorId : null, hint ? hintId : null, describedBy ?? null]
    .filter((part) => part !== null)
    .join(' ');
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <input
        {...input}
        id={id}
        value={value}
        onChange={(event) => onValue(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described === '' ? undefined : described}
      />
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The form's answer from the server (or the network), announced as it appears. */
/** "Show password": shows the password field's text while checked. */
export function ShowPasswordToggle({
  shown,
  onShown,
}: {
  shown: boolean;
  onShown: (shown: boolean) => void;
}) {
  return (
    <label className="check">
      <input type="checkbox" checked={shown} onChange={(event) => onShown(event.target.checked)} />
      Show password
    </label>
  );
}

/** The form's one action: disabled while it runs or offline (the server must answer it). */
export function SubmitButton({
  pending,
  online,
  children,
}: {
  pending: boolean;
  online: boolean;
  children: ReactNode;
}) {
  return (
    <button
      type="submit"
      className="button button-primary button-block"
      disabled={pending || !online}
      aria-disabled={pending || !online}
    >
      {children}
    </button>
  );
}

export function FormAlert({ failure, children }: { failure: FailureText | null; children?: ReactNode }) {
  if (failure === null) return null;
  return (
    <div className="form-alert" role="alert" data-code={failure.code}>
      <p>{failure.message}</p>
      {children}
    </div>
  );
}

export function OfflineNote({ action }: { action: 'sign-in' | 'sign-up' }) {
  return (
    <p className="notice" data-state="offline">
      {action === 'sign-in' ? 'Signing in' : 'Creating an account'} needs a connection, and this device is
      offline. Everything already on it still works; try again when you are back online.
    </p>
  );
}

/** "Continue with …" per configured OpenID Connect provider; each is a full navigation (OI2). */
export function OidcButtons({ online }: { online: boolean }) {
  const auth = useAuth();
  const [providers, setProviders] = useState<readonly OidcProvider[]>([]);
  useEffect(() => {
    if (!online) return;
    let current = true;
    auth
      .providers()
      .then((result) => {
        if (current && result.ok) setProviders(result.value);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [auth, online]);
  if (!online || providers.length === 0) return null;
  return (
    <div className="oidc">
      <p className="divider">
        <span>or</span>
      </p>
      <ul className="oidc-list">
        {providers.map((provider) => (
          <li key={provider.name}>
            <a className="button button-secondary button-block" href={provider.url}>
              Continue with {provider.label}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** AC2's rules, visible before typing; each is marked as it is met. */
export function PasswordRules({ id, password, email }: { id: string; password: string; email: string }) {
  const checks = passwordChecks(password, email);
  return (
    <ul className="password-rules" id={id} aria-label="Password rules">
      {checks.map(({ rule, met }) => (
        <li key={rule.id} data-met={met === null ? 'unknown' : String(met)}>
          <span className="rule-mark" aria-hidden="true">
            {met === true ? '✓' : met === false ? '•' : '○'}
          </span>
          {rule.text}
          <span className="visually-hidden">
            {met === true ? ' (met)' : met === false ? ' (not met yet)' : ' (checked when you submit)'}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function AlreadySignedIn({ name }: { name: string }) {
  return (
    <section className="auth-card card" aria-labelledby="already-title">
      <h1 id="already-title" tabIndex={-1}>
        You are signed in
      </h1>
      <p>
        This device is signed in as <strong>{name}</strong>. To use another account, sign out first from{' '}
        <Link to="/account">your account</Link>.
      </p>
      <p>
        <Link className="button button-primary" to="/">
          Go to Hearth
        </Link>
      </p>
    </section>
  );
}
