// /signin: email and password, or a configured OpenID Connect provider (AU3–AU5 in ./SPEC.md).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, navigate } from '../app/router';
import { useOnline } from '../app/useOnline';
import { failureText, type FailureText } from './messages';
import {
  AlreadySignedIn,
  EmailField,
  Field,
  FormAlert,
  OfflineNote,
  OidcButtons,
  ShowPasswordToggle,
  SubmitButton,
} from './parts';
import { hasErrors, validateSignIn, type FieldErrors, type SignInField } from './policy';
import { useAuth, useAuthState } from './react';

export function SignInScreen() {
  const auth = useAuth();
  const { status, account } = useAuthState();
  const online = useOnline();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<FieldErrors<SignInField>>({});
  const [failure, setFailure] = useState<FailureText | null>(null);
  const [pending, setPending] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const form = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (attempt > 0) form.current?.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  if (status === 'signed-in' && account !== null && !pending)
    return <AlreadySignedIn name={account.displayName ?? 'your account'} />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validateSignIn({ email, password });
    setErrors(found);
    setAttempt((n) => n + 1);
    if (hasErrors(found)) return;
    setPending(true);
    setFailure(null);
    const result = await auth.signIn({ email: email.trim(), password });
    setPending(false);
    if (!result.ok) {
      setFailure(failureText(result.failure, 'sign-in'));
      return;
    }
    navigate('/', { replace: true });
  }

  return (
    <section className="auth-card card" aria-labelledby="signin-title">
      <h1 id="signin-title" tabIndex={-1}>
        Sign in
      </h1>
      <p className="auth-lede">Welcome back. Sign in to take part in your communities from this device.</p>
      {online ? null : <OfflineNote action="sign-in" />}
      <FormAlert failure={failure}>
        {failure?.code === 'invalid_credentials' ? (
          <p>
            New to Hearth? <Link to="/signup">Create an account</Link>.
          </p>
        ) : null}
      </FormAlert>
      <form ref={form} className="auth-form" noValidate onSubmit={(event) => void submit(event)}>
        <EmailField value={email} onValue={setEmail} error={errors.email} />
        <Field
          label="Password"
          type={showPassword ? 'text' : 'password'}
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
          error={errors.password}
        />
        <ShowPasswordToggle shown={showPassword} onShown={setShowPassword} />
        <SubmitButton pending={pending} online={online}>
          {pending ? 'Signing in…' : 'Sign in'}
        </SubmitButton>
      </form>
      <OidcButtons online={online} />
      <p className="auth-switch">
        New to Hearth? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}
