-- OpenID Connect sign-ins in flight: written when the browser is sent to the provider, consumed
-- (deleted) by the callback. Only a hash of the `state` is stored; the browser holds the state itself
-- in a short-lived httpOnly cookie, which binds the callback to the browser that started it.

-- server-only.
CREATE TABLE oidc_logins (
  id uuid PRIMARY KEY,
  state_hash bytea NOT NULL UNIQUE CHECK (octet_length(state_hash) = 32),
  provider text NOT NULL CHECK (provider ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(provider) <= 64),
  code_verifier text NOT NULL CHECK (length(code_verifier) BETWEEN 43 AND 128),
  nonce text NOT NULL CHECK (length(nonce) BETWEEN 1 AND 256),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires_idx ON oidc_logins (expires_at);
