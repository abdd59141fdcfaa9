// /signup: name, email and a password that meets the rules shown up front (AU3–AU5 in ./SPEC.md).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
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
  PasswordRules,
  ShowPasswordToggle,
  SubmitButton,
} from './parts';
import {
  DISPLAY_NAME_MAX_LENGTH,
  hasErrors,
  validateSignUp,
  type FieldErrors,
  type SignUpField,
} from './policy';
import { useAuth, useAuthState } from './react';

export function SignUpScreen() {
  const auth = useAuth();
  const { status, account } = useAuthState();
  const online = useOnline();
  const rulesId = useId();
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<FieldErrors<SignUpField>>({});
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
    const found = validateSignUp({ displayName, email, password });
    setErrors(found);
    setAttempt((n) => n + 1);
    if (hasErrors(found)) return;
    setPending(true);
    setFailure(null);
    const result = await auth.signUp({ displayName: displayName.trim(), email: email.trim(), password });
    setPending(false);
    if (!result.ok) {
      setFailure(failureText(result.failure, 'sign-up'));
      return;
    }
    navigate('/', { replace: true });
  }

  return (
    <section className="auth-card card" aria-labelledby="signup-title">
      <h1 id="signup-title" tabIndex={-1}>
        Create your account
      </h1>
      <p className="auth-lede">Join communities, RSVP to gatherings and share stories — online or not.</p>
      {online ? null : <OfflineNote action="sign-up" />}
      <FormAlert failure={failure}>
        {failure?.code === 'signup_refused' ? (
          <p>
            <Link to="/signin">Sign in instead</Link>
          </p>
        ) : null}
      </FormAlert>
      <form ref={form} className="auth-form" noValidate onSubmit={(event) => void submit(event)}>
        <Field
          label="Your name"
          hint="Shown to people in your communities."
          type="text"
          name="name"
          autoComplete="name"
          maxLength={DISPLAY_NAME_MAX_LENGTH}
          required
          value={displayName}
          onValue={setDisplayName}
          error={errors.displayName}
        />
        <EmailField value={email} onValue={setEmail} error={errors.email} />
        <Field
          label="Password"
          type={showPassword ? 'text' : 'password'}
          name="new-password"
          autoComplete="new-password"
          required
          value={password}
          onValue={setPassword}
          error={errors.password}
          describedBy={rulesId}
        />
        <PasswordRules id={rulesId} password={password} email={email} />
        <ShowPasswordToggle shown={showPassword} onShown={setShowPassword} />
        <SubmitButton pending={pending} online={online}>
          {pending ? 'Creating your account…' : 'Create account'}
        </SubmitButton>
      </form>
      <OidcButtons online={online} />
      <p className="auth-switch">
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  );
}
