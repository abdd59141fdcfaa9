// Pieces every gatherings screen shares: the replica around the screens (live queries need it),
// labelled form fields, notices, and who is signed in.
import { useId, useState, type ReactNode, type SelectHTMLAttributes } from 'react';
import { useAuthState } from '../../auth/react';
import { ReplicaProvider } from '../../db/views';
import { useHearth, useMutate } from '../../outbox/react';
import { Link } from '../../app/router';

/** Screens read the local replica: its live queries need the open database above them. */
export function GatheringsFrame({ children }: { children: ReactNode }) {
  const { replica } = useHearth();
  return (
    <div className="gatherings">
      <ReplicaProvider replica={replica} fallback={<Loading what="this device’s data" />}>
        {children}
      </ReplicaProvider>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="gw-muted" role="status">
      Opening {what}…
    </p>
  );
}

/** The signed-in user's id, null when signed out (or not yet known). */
export function useMyId(): string | null {
  return useAuthState().account?.userId ?? null;
}

export function SignInFirst({ to }: { to: string }) {
  // Not known yet who is signed in (web/src/auth/SPEC.md AU14): no "Sign in" that flashes away.
  if (useAuthState().status === 'loading') return null;
  return (
    <p className="gw-notice" data-tone="info">
      <Link to="/signin">Sign in</Link> to {to}.
    </p>
  );
}

interface FieldShell {
  label: string;
  hint?: ReactNode;
  error?: string | null;
}

function Shell({ id, label, hint, error, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className="field" data-invalid={error ? 'true' : undefined}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, { hint, error }: FieldShell): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter((part) => part !== null);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

type InputProps = FieldShell & {
  value: string;
  onValue: (value: string) => void;
  type?: string;
  required?: boolean;
  name?: string;
  min?: number;
  max?: number;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'url';
};

export function TextField({ value, onValue, label, hint, error, type = 'text', ...input }: InputProps) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint} error={error ?? null}>
      <input
        {...input}
        id={id}
        type={type}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, { label, hint, error: error ?? null })}
        onChange={(event) => onValue(event.target.value)}
      />
    </Shell>
  );
}

export function TextArea({
  value,
  onValue,
  label,
  hint,
  error,
  rows = 4,
  name,
}: FieldShell & { value: string; onValue: (value: string) => void; rows?: number; name?: string }) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint} error={error ?? null}>
      <textarea
        id={id}
        name={name}
        rows={rows}
        value={value}
        className="gw-textarea"
        aria-describedby={describedBy(id, { label, hint, error: error ?? null })}
        onChange={(event) => onValue(event.target.value)}
      />
    </Shell>
  );
}

export function SelectField<V extends string>({
  value,
  onValue,
  options,
  label,
  hint,
  ...select
}: FieldShell & {
  value: V;
  onValue: (value: V) => void;
  options: readonly { value: V; label: string }[];
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>) {
  const id = useId();
  return (
    <Shell id={id} label={label} hint={hint}>
      <select
        {...select}
        id={id}
        className="gw-select"
        value={value}
        onChange={(event) => {
          const picked = options.find((option) => option.value === event.target.value);
          if (picked) onValue(picked.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

export function Notice({
  tone,
  children,
  testId,
}: {
  tone: 'info' | 'warn' | 'error' | 'ok';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className="gw-notice"
      data-tone={tone}
      data-testid={testId}
      role={tone === 'error' || tone === 'warn' ? 'alert' : 'status'}
    >
      {children}
    </div>
  );
}

/** The message of a failed local write (validation), for a form's alert. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a write through the outbox; a refusal before anything was written (bad input, signed out)
 * becomes `error`, for the screen's alert. The server's refusals show in the header's list.
 */
export function useWrite() {
  const mutate = useMutate();
  const [error, setError] = useState<string | null>(null);
  const act = (write: (m: typeof mutate) => Promise<unknown>) => {
    setError(null);
    write(mutate).catch((failure: unknown) => setError(errorText(failure)));
  };
  return { act, error };
}
