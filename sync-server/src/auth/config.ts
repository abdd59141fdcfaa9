// What accounts and sessions read from the environment: the server's public origin, whether a proxy
// in front is trusted, extra allowed origins, and the OpenID Connect providers. Pure: config.ts calls
// it with the environment and reports the problems in its own one-line-per-variable style.
import { z } from 'zod';

/** Vite's dev server: accepted as an origin only when NODE_ENV=development. */
export const DEV_ORIGINS: readonly string[] = ['http://localhost:5173'];

export interface OidcProviderConfig {
  /** Lower-case name used in URLs (/api/auth/oidc/<name>) and in the variables' names. */
  readonly name: string;
  /** What the sign-in screen shows on the button. */
  readonly label: string;
  /** The issuer identifier; its discovery document is at <issuer>/.well-known/openid-configuration. */
  readonly issuer: string;
  readonly clientId: string;
  /** Unset = a public client (PKCE only, no client authentication). */
  readonly clientSecret: string | undefined;
}

export interface AuthConfig {
  /** The origin people open Hearth at (PUBLIC_URL); unset = the scheme and Host of each request. */
  readonly publicUrl: string | undefined;
  /** Believe X-Forwarded-For / -Proto / -Host from exactly one proxy in front (TRUST_PROXY). */
  readonly trustProxy: boolean;
  /** More origins allowed to send state-changing requests (ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
  /** NODE_ENV=development: the Vite dev origin is allowed too. */
  readonly dev: boolean;
  readonly oidcProviders: readonly OidcProviderConfig[];
}

export const DEFAULT_AUTH_CONFIG: AuthConfig = {
  publicUrl: undefined,
  trustProxy: false,
  allowedOrigins: [],
  dev: false,
  oidcProviders: [],
};

export type AuthConfigResult = { ok: true; config: AuthConfig } | { ok: false; errors: string[] };

const PROVIDER_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** An origin (scheme://host[:port]) given as a URL with nothing after the host; else undefined. */
export function asOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** https anywhere; plain http only on this machine (a provider started for development or tests). */
export function isAcceptableIssuer(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.search !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  } catch {
    return false;
  }
}

export function isLoopbackHttp(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** OIDC_<NAME>_…: the provider name upper-cased, dashes as underscores. */
export function providerVariable(
  name: string,
  suffix: 'ISSUER' | 'CLIENT_ID' | 'CLIENT_SECRET' | 'LABEL',
): string {
  return `OIDC_${name.toUpperCase().replaceAll('-', '_')}_${suffix}`;
}

const clientId = z.string().trim().min(1).max(512);
const clientSecret = z.string().min(8).max(4096);
const label = z.string().trim().min(1).max(60);

export function parseAuthConfig(env: Readonly<Record<string, string | undefined>>): AuthConfigResult {
  const errors: string[] = [];
  // An empty value counts as unset, as everywhere in config.ts.
  const read = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw;
  };

  const publicUrlRaw = read('PUBLIC_URL');
  const publicUrl = publicUrlRaw === undefined ? undefined : asOrigin(publicUrlRaw);
  if (publicUrlRaw !== undefined && publicUrl === undefined)
    errors.push(
      `Invalid PUBLIC_URL=${JSON.stringify(publicUrlRaw)}: use the address people open Hearth at, ` +
        'scheme and host only, e.g. PUBLIC_URL=https://hearth.example.org.',
    );

  const trustRaw = read('TRUST_PROXY');
  const trustWord = trustRaw?.trim().toLowerCase();
  if (trustWord !== undefined && !TRUE_WORDS.includes(trustWord) && !FALSE_WORDS.includes(trustWord))
    errors.push(
      `Invalid TRUST_PROXY=${JSON.stringify(trustRaw)}: use true only when one proxy you run sits in ` +
        'front of Hearth and sets X-Forwarded-For/-Proto, else false, e.g. TRUST_PROXY=false.',
    );

  const allowedRaw = read('ALLOWED_ORIGINS');
  const allowedOrigins: string[] = [];
  for (const item of allowedRaw?.split(',') ?? []) {
    if (item.trim() === '') continue;
    const origin = asOrigin(item);
    if (origin === undefined) {
      errors.push(
        `Invalid ALLOWED_ORIGINS=${JSON.stringify(allowedRaw)}: ${JSON.stringify(item.trim())} is not an origin; ` +
          'use a comma-separated list of scheme://host[:port], e.g. ALLOWED_ORIGINS=https://app.example.org.',
      );
      break;
    }
    allowedOrigins.push(origin);
  }

  const oidcProviders: OidcProviderConfig[] = [];
  const namesRaw = read('OIDC_PROVIDERS');
  const names = (namesRaw ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const seen = new Set<string>();
  for (const name of names) {
    if (!PROVIDER_NAME.test(name) || name.length > 64 || seen.has(name)) {
      errors.push(
        `Invalid OIDC_PROVIDERS=${JSON.stringify(namesRaw)}: ${JSON.stringify(name)} is ` +
          `${seen.has(name) ? 'listed twice' : 'not a valid name'}; use distinct lower-case names of ` +
          'letters, digits and dashes, e.g. OIDC_PROVIDERS=google,keycloak.',
      );
      continue;
    }
    seen.add(name);
    const issuerName = providerVariable(name, 'ISSUER');
    const idName = providerVariable(name, 'CLIENT_ID');
    const secretName = providerVariable(name, 'CLIENT_SECRET');
    const labelName = providerVariable(name, 'LABEL');
    const issuer = read(issuerName);
    const id = read(idName);
    const secret = read(secretName);
    const shownLabel = read(labelName);
    let valid = true;
    if (issuer === undefined) {
      errors.push(
        `Missing ${issuerName}: OIDC_PROVIDERS names ${name}, so set its issuer URL, ` +
          `e.g. ${issuerName}=https://accounts.google.com.`,
      );
      valid = false;
    } else if (!isAcceptableIssuer(issuer)) {
      errors.push(
        `Invalid ${issuerName}=${JSON.stringify(issuer)}: use the provider's https issuer URL ` +
          `(plain http only on localhost), e.g. ${issuerName}=https://accounts.google.com.`,
      );
      valid = false;
    }
    if (id === undefined || !clientId.safeParse(id).success) {
      errors.push(
        `${id === undefined ? 'Missing' : `Invalid`} ${idName}: set the client id the provider gave ` +
          `Hearth when you registered it, e.g. ${idName}=hearth.`,
      );
      valid = false;
    }
    if (secret !== undefined && !clientSecret.safeParse(secret).success) {
      errors.push(
        `Invalid ${secretName}=(hidden): use the client secret the provider gave Hearth ` +
          `(at least 8 characters), or unset it for a public client.`,
      );
      valid = false;
    }
    if (shownLabel !== undefined && !label.safeParse(shownLabel).success) {
      errors.push(
        `Invalid ${labelName}=${JSON.stringify(shownLabel)}: use 1 to 60 characters for the sign-in ` +
          `button, e.g. ${labelName}="Sign in with Google".`,
      );
      valid = false;
    }
    if (valid && issuer !== undefined && id !== undefined)
      oidcProviders.push({
        name,
        label: shownLabel?.trim() ?? name.charAt(0).toUpperCase() + name.slice(1),
        issuer: issuer.trim(),
        clientId: id.trim(),
        clientSecret: secret,
      });
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      publicUrl,
      trustProxy: trustWord !== undefined && TRUE_WORDS.includes(trustWord),
      allowedOrigins,
      dev: env.NODE_ENV === 'development',
      oidcProviders,
    },
  };
}
