// `?auth_error=<code>`: where an OpenID Connect sign-in that did not succeed lands (OI7); says why in
// plain words (AU5) until dismissed, which also takes the code out of the address.
import { navigate, useLocation } from '../app/router';
import { oidcReturnText } from './messages';

export const AUTH_ERROR_PARAM = 'auth_error';

export function AuthErrorNotice() {
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  const code = params.get(AUTH_ERROR_PARAM);
  if (code === null) return null;
  const dismiss = () => {
    params.delete(AUTH_ERROR_PARAM);
    const rest = params.toString();
    navigate(pathname + (rest === '' ? '' : `?${rest}`), { replace: true });
  };
  return (
    <div className="auth-error-notice" role="alert" data-code={code}>
      <p>{oidcReturnText(code)}</p>
      <button type="button" className="button button-secondary button-small" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
