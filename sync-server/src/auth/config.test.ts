import { describe, expect, it } from 'vitest';
import { parseAuthConfig, type AuthConfigResult } from './config';

function ok(result: AuthConfigResult) {
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}
function errors(result: AuthConfigResult): string[] {
  if (result.ok) throw new Error('expected errors');
  return result.errors;
}

describe('auth configuration', () => {
  it('[OI1] reads each provider named in OIDC_PROVIDERS from its own variables', () => {
    const config = ok(
      parseAuthConfig({
        OIDC_PROVIDERS: 'google, my-keycloak',
        OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
        OIDC_GOOGLE_CLIENT_ID: 'hearth.apps.googleusercontent.com',
        OIDC_GOOGLE_CLIENT_SECRET: 'google-secret-value',
        OIDC_GOOGLE_LABEL: 'Sign in with Google',
        OIDC_MY_KEYCLOAK_ISSUER: 'http://localhost:8080/realms/hearth',
        OIDC_MY_KEYCLOAK_CLIENT_ID: 'hearth',
      }),
    );
    expect(config.oidcProviders).toEqual([
      {
        name: 'google',
        label: 'Sign in with Google',
        issuer: 'https://accounts.google.com',
        clientId: 'hearth.apps.googleusercontent.com',
        clientSecret: 'google-secret-value',
      },
      {
        name: 'my-keycloak',
        label: 'My-keycloak',
        issuer: 'http://localhost:8080/realms/hearth',
        clientId: 'hearth',
        clientSecret: undefined,
      },
    ]);
  });

  it('[OI1] a named provider without its issuer or client id is one line each, saying what to set', () => {
    expect(errors(parseAuthConfig({ OIDC_PROVIDERS: 'google' }))).toEqual([
      'Missing OIDC_GOOGLE_ISSUER: OIDC_PROVIDERS names google, so set its issuer URL, e.g. OIDC_GOOGLE_ISSUER=https://accounts.google.com.',
      'Missing OIDC_GOOGLE_CLIENT_ID: set the client id the provider gave Hearth when you registered it, e.g. OIDC_GOOGLE_CLIENT_ID=hearth.',
    ]);
  });

  it('[OI1] plain http issuers only on this machine; bad names and secrets are refused, secrets hidden', () => {
    const lines = errors(
      parseAuthConfig({
        OIDC_PROVIDERS: 'corp,Bad_Name',
        OIDC_CORP_ISSUER: 'http://sso.corp.example',
        OIDC_CORP_CLIENT_ID: 'hearth',
        OIDC_CORP_CLIENT_SECRET: 'short',
      }),
    );
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^Invalid OIDC_CORP_ISSUER="http:\/\/sso\.corp\.example": use the provider's https/,
    );
    expect(lines[1]).toMatch(/^Invalid OIDC_CORP_CLIENT_SECRET=\(hidden\)/);
    expect(lines[2]).toMatch(/^Invalid OIDC_PROVIDERS=.*"Bad_Name" is not a valid name/);
    expect(lines.join('\n')).not.toContain('short');
  });

  it('[CS1] PUBLIC_URL and ALLOWED_ORIGINS are origins; TRUST_PROXY a boolean; dev from NODE_ENV', () => {
    expect(
      ok(
        parseAuthConfig({
          PUBLIC_URL: 'https://hearth.example.org/',
          ALLOWED_ORIGINS: 'https://app.example.org, http://localhost:4000',
          TRUST_PROXY: 'yes',
          NODE_ENV: 'development',
        }),
      ),
    ).toEqual({
      publicUrl: 'https://hearth.example.org',
      trustProxy: true,
      allowedOrigins: ['https://app.example.org', 'http://localhost:4000'],
      dev: true,
      oidcProviders: [],
    });
    const lines = errors(
      parseAuthConfig({
        PUBLIC_URL: 'https://hearth.example.org/app',
        ALLOWED_ORIGINS: 'nope',
        TRUST_PROXY: 'maybe',
      }),
    );
    expect(lines.map((line) => line.split('=')[0])).toEqual([
      'Invalid PUBLIC_URL',
      'Invalid TRUST_PROXY',
      'Invalid ALLOWED_ORIGINS',
    ]);
  });
});
