// OpenID Connect sign-in through openid-client (SPEC.md OI1–OI3): authorization code + PKCE (S256)
// + state + nonce. The state's hash, the PKCE verifier and the nonce wait in `oidc_logins` (10 min,
// single use); the browser keeps the state in an httpOnly cookie, so a callback is accepted only in
// the browser that started it. openid-client checks the response, the issuer, the ID token's
// signature, audience, expiry and nonce; linking by verified email is in accounts.ts.
import * as client from 'openid-client';
import { v7 as uuidv7 } from 'uuid';
import { ErrorCode } from '@hearth/schema/errors';
import { emailKey, type OidcClaims } from './accounts';
import { isLoopbackHttp, type OidcProviderConfig } from './config';
import { OIDC_LOGIN_TTL_MS, sameSecret, tokenHash } from './session-logic';
import type { Db } from './sessions';

export const OIDC_SCOPE = 'openid email profile';
const MAX_DISPLAY_NAME = 80;

export interface ProviderListing {
  name: string;
  label: string;
  /** Where the sign-in button sends the browser. */
  url: string;
}

/** A sign-in that cannot go on; `code` is what the browser is redirected with. */
export class OidcFailure extends Error {
  constructor(
    readonly code: typeof ErrorCode.oidcFailed | typeof ErrorCode.oidcDenied | typeof ErrorCode.unavailable,
    reason: string,
    options?: { cause: unknown },
  ) {
    super(reason, options);
  }
}

export function oidcStartPath(provider: string): string {
  return `/api/auth/oidc/${provider}`;
}

export function redirectUri(ownOrigin: string, provider: string): string {
  return `${ownOrigin}${oidcStartPath(provider)}/callback`;
}

/** The configured providers and their discovered metadata, fetched on first use and kept. */
export class OidcProviders {
  private readonly configurations = new Map<string, Promise<client.Configuration>>();
  private readonly byName: ReadonlyMap<string, OidcProviderConfig>;

  constructor(providers: readonly OidcProviderConfig[]) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
  }

  get(name: string): OidcProviderConfig | undefined {
    return this.byName.get(name);
  }

  list(): ProviderListing[] {
    return [...this.byName.values()].map((p) => ({
      name: p.name,
      label: p.label,
      url: oidcStartPath(p.name),
    }));
  }

  /** Discovery, once per provider; a failed one is tried again on the next sign-in. */
  configuration(provider: OidcProviderConfig): Promise<client.Configuration> {
    let configuration = this.configurations.get(provider.name);
    if (configuration === undefined) {
      configuration = client
        .discovery(
          new URL(provider.issuer),
          provider.clientId,
          provider.clientSecret === undefined ? undefined : { client_secret: provider.clientSecret },
          provider.clientSecret === undefined
            ? client.None()
            : client.ClientSecretBasic(provider.clientSecret),
          // Plain http is accepted by config.ts only for a provider on this machine.
          isLoopbackHttp(provider.issuer) ? { execute: [client.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.configurations.delete(provider.name);
          throw new OidcFailure(
            ErrorCode.unavailable,
            `The sign-in provider ${provider.label} could not be reached.`,
            { cause: error },
          );
        });
      this.configurations.set(provider.name, configuration);
    }
    return configuration;
  }
}

/** OI2: records the sign-in and returns the provider's authorization URL and the state for the cookie. */
export async function beginOidcSignIn(
  db: Db,
  providers: OidcProviders,
  provider: OidcProviderConfig,
  ownOrigin: string,
  now: Date,
): Promise<{ url: URL; state: string }> {
  const configuration = await providers.configuration(provider);
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  // Abandoned sign-ins are swept by the next one.
  await db.query('delete from oidc_logins where expires_at < $1', [now]);
  await db.query(
    `insert into oidc_logins (id, state_hash, provider, code_verifier, nonce, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      uuidv7(),
      tokenHash(state),
      provider.name,
      codeVerifier,
      nonce,
      now,
      new Date(now.getTime() + OIDC_LOGIN_TTL_MS),
    ],
  );
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri(ownOrigin, provider.name),
    scope: OIDC_SCOPE,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state };
}

function displayNameFrom(claims: Record<string, unknown>, email: string | undefined): string {
  const candidates = [claims.name, claims.preferred_username, claims.nickname, email?.split('@')[0]];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const trimmed = [...candidate.trim()].slice(0, MAX_DISPLAY_NAME).join('').trim();
    if (trimmed !== '') return trimmed;
  }
  return 'New member';
}

/**
 * OI3: checks the callback against the stored sign-in and the browser's cookie, exchanges the code,
 * and returns who the provider says signed in. Throws OidcFailure for anything it refuses.
 */
export async function finishOidcSignIn(
  db: Db,
  providers: OidcProviders,
  provider: OidcProviderConfig,
  input: { ownOrigin: string; search: string; cookieState: string | undefined; now: Date },
): Promise<OidcClaims> {
  const params = new URLSearchParams(input.search);
  const state = params.get('state');
  if (state === null || input.cookieState === undefined || !sameSecret(state, input.cookieState))
    throw new OidcFailure(
      ErrorCode.oidcFailed,
      'the callback does not belong to a sign-in this browser started',
    );
  const stored = await db.query<{ provider: string; code_verifier: string; nonce: string; expires_at: Date }>(
    'delete from oidc_logins where state_hash = $1 returning provider, code_verifier, nonce, expires_at',
    [tokenHash(state)],
  );
  const login = stored.rows[0];
  if (login === undefined || login.provider !== provider.name)
    throw new OidcFailure(
      ErrorCode.oidcFailed,
      'no sign-in in flight for this state (already used, or never started)',
    );
  if (login.expires_at.getTime() <= input.now.getTime())
    throw new OidcFailure(ErrorCode.oidcFailed, 'the sign-in took longer than 10 minutes');

  const configuration = await providers.configuration(provider);
  const currentUrl = new URL(redirectUri(input.ownOrigin, provider.name));
  currentUrl.search = input.search;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: login.code_verifier,
      expectedState: state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError && error.error === 'access_denied')
      throw new OidcFailure(ErrorCode.oidcDenied, 'the person declined at the provider', { cause: error });
    throw new OidcFailure(ErrorCode.oidcFailed, 'the provider response did not pass the checks', {
      cause: error,
    });
  }
  const idToken = tokens.claims();
  if (idToken === undefined) throw new OidcFailure(ErrorCode.oidcFailed, 'the provider sent no ID token');

  // Many providers put email claims only in the userinfo response (and oidc-provider by default).
  let claims: Record<string, unknown> = { ...idToken };
  if (typeof claims.email !== 'string' || claims.email_verified === undefined) {
    if (configuration.serverMetadata().userinfo_endpoint !== undefined) {
      try {
        const userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub);
        claims = {
          ...userinfo,
          ...claims,
          email: claims.email ?? userinfo.email,
          email_verified: claims.email_verified ?? userinfo.email_verified,
        };
      } catch (error) {
        throw new OidcFailure(ErrorCode.oidcFailed, 'the userinfo request failed', { cause: error });
      }
    }
  }
  const email =
    typeof claims.email === 'string' && claims.email.includes('@') ? claims.email.trim() : undefined;
  return {
    issuer: configuration.serverMetadata().issuer,
    subject: idToken.sub,
    email: email !== undefined && emailKey(email).length <= 320 ? email : undefined,
    emailVerified: email !== undefined && claims.email_verified === true,
    displayName: displayNameFrom(claims, email),
  };
}
