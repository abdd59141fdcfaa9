// OpenID Connect sign-in end to end (sync-server/src/auth/SPEC.md OI1–OI7): a real provider
// (oidc-provider) and a real Hearth app, both listening on localhost, driven by real HTTP requests
// that keep cookies and follow redirects as a browser does.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import getPort from 'get-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@hearth/schema/migrations';
import { DEFAULT_AUTH_CONFIG } from '@hearth/sync-server/auth/config';
import { hashPassword } from '@hearth/sync-server/auth/password';
import { authRoutes } from '@hearth/sync-server/auth/routes';
import { SESSION_COOKIE } from '@hearth/sync-server/auth/session-logic';
import { readMigrationFiles } from '@hearth/sync-server/db/migrations';
import { buildApp } from '@hearth/sync-server/http/app';
import { silentLogger } from '@hearth/sync-server/log';
import { freshDatabase, type FreshDatabase } from '../support/postgres';
import { Browser, startOidcProvider, type Page, type TestProvider } from '../support/oidc-provider';

const PASSWORD = 'a quiet evening by the fire';
const CLIENT = { id: 'hearth-test', secret: 'hearth-test-client-secret' };

const ACCOUNTS = {
  newcomer: { email: 'newcomer@example.org', email_verified: true, name: 'New Comer' },
  'links-password': { email: 'Linda@Example.org', email_verified: true, name: 'Linda at the IdP' },
  'links-verified': { email: 'vera@example.org', email_verified: true },
  unverified: { email: 'una@example.org', email_verified: false, name: 'Not Una' },
  'no-email': { name: 'Nameless' },
};

let db: FreshDatabase;
let provider: TestProvider;
let app: Awaited<ReturnType<typeof buildApp>>;
let hearth: string;
let clockOffsetMs = 0;

beforeAll(async () => {
  db = await freshDatabase({ migrate: true });
  const [providerPort, hearthPort] = [await getPort(), await getPort()];
  hearth = `http://127.0.0.1:${hearthPort}`;
  provider = await startOidcProvider({
    port: providerPort,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUris: [`${hearth}/api/auth/oidc/test/callback`],
    accounts: ACCOUNTS,
  });
  app = await buildApp({
    pool: db.pool,
    migrations: await readMigrationFiles(MIGRATIONS_DIR),
    webDist: '/nonexistent-web-dist',
    log: silentLogger(),
    routes: [
      authRoutes({
        pool: db.pool,
        config: {
          ...DEFAULT_AUTH_CONFIG,
          oidcProviders: [
            {
              name: 'test',
              label: 'Test IdP',
              issuer: provider.issuer,
              clientId: CLIENT.id,
              clientSecret: CLIENT.secret,
            },
          ],
        },
        clock: () => new Date(Date.now() + clockOffsetMs),
      }),
    ],
  });
  await app.listen({ port: hearthPort, host: '127.0.0.1' });
  expect((app.server.address() as AddressInfo).port).toBe(hearthPort);
});

afterAll(async () => {
  await app?.close();
  await provider?.stop();
  await db?.drop();
});

const atHearthRoot = (url: URL) => url.origin === hearth && url.pathname === '/';
const atCallback = (url: URL) => url.origin === hearth && url.pathname.endsWith('/callback');

/** Hearth's sign-in button -> the provider's login form, filled -> consent -> back to Hearth. */
async function signInAtProvider(browser: Browser, accountId: string, until = atHearthRoot): Promise<Page> {
  const login = await browser.navigate(`${hearth}/api/auth/oidc/test`);
  expect(login.url.origin).toBe(provider.issuer);
  expect(login.body).toContain('name="login"');
  const consent = await browser.submitForm(login, { login: accountId, password: 'anything' }, until);
  if (consent.stoppedAt !== undefined) return consent; // consent remembered from an earlier sign-in
  return browser.submitForm(consent, {}, until);
}

async function me(browser: Browser) {
  const response = await browser.request(new URL(`${hearth}/api/me`));
  return {
    status: response.status,
    body: (await response.json()) as { user: { id: string; displayName: string }; email: string | null },
  };
}

async function passwordSignup(email: string): Promise<string> {
  const response = await fetch(`${hearth}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: hearth },
    body: JSON.stringify({ email, password: PASSWORD, displayName: 'By password' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { user: { id: string } }).user.id;
}

async function passwordSignin(email: string) {
  const response = await fetch(`${hearth}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: hearth },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  return { status: response.status, cookie: response.headers.getSetCookie()[0]?.split(';')[0] };
}

describe('OpenID Connect sign-in against a real provider', () => {
  it('[OI1] the providers are listed for the sign-in screen, without secrets', async () => {
    const response = await fetch(`${hearth}/api/auth/providers`);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      password: true,
      providers: [{ name: 'test', label: 'Test IdP', url: '/api/auth/oidc/test' }],
    });
    expect(text).not.toContain(CLIENT.secret);
  });

  it('[OI2] [OI3] [OI6] [OI7] a round trip with code + PKCE + state + nonce creates the account and signs in', async () => {
    const browser = new Browser();
    // A cookie planted before sign-in must not survive it (SS4).
    await browser.jar.setCookie(`${SESSION_COOKIE}=${'A'.repeat(43)}; Path=/`, hearth);
    const landed = await signInAtProvider(browser, 'newcomer');
    expect(landed.stoppedAt?.href).toBe(`${hearth}/`);

    const authorize = browser.visited.find(
      (url) => url.origin === provider.issuer && url.pathname === '/auth',
    );
    const params = authorize?.searchParams;
    expect(params?.get('response_type')).toBe('code');
    expect(params?.get('code_challenge_method')).toBe('S256');
    expect(params?.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params?.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params?.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params?.get('redirect_uri')).toBe(`${hearth}/api/auth/oidc/test/callback`);
    expect(params?.get('scope')).toBe('openid email profile');

    const { status, body } = await me(browser);
    expect(status).toBe(200);
    expect(body).toMatchObject({ email: 'newcomer@example.org', user: { displayName: 'New Comer' } });
    expect(await browser.jar.getCookieString(hearth)).not.toContain('A'.repeat(43));
    const pending = await db.pool.query('select 1 from oidc_logins');
    expect(pending.rowCount).toBe(0);
  });

  it('[OI4] the same identity signs into the same account, with a new session', async () => {
    const first = new Browser();
    await signInAtProvider(first, 'newcomer');
    const second = new Browser();
    await signInAtProvider(second, 'newcomer');
    const [a, b] = [await me(first), await me(second)];
    expect(a.body.user.id).toBe(b.body.user.id);
    expect(await first.jar.getCookieString(hearth)).not.toBe(await second.jar.getCookieString(hearth));
    const identities = await db.pool.query(
      "select 1 from identities where provider = 'oidc' and subject = 'newcomer'",
    );
    expect(identities.rowCount).toBe(1);
  });

  it('[OI5] a verified email links to the password account; its unverified password and sessions go', async () => {
    const userId = await passwordSignup('linda@example.org');
    const before = await passwordSignin('linda@example.org');
    expect(before.status).toBe(200);

    const browser = new Browser();
    await signInAtProvider(browser, 'links-password');
    const { body } = await me(browser);
    expect(body.user.id).toBe(userId);
    expect(body.user.displayName).toBe('By password');

    const identities = await db.pool.query<{ provider: string; email_verified: boolean }>(
      'select provider, email_verified from identities where user_id = $1',
      [userId],
    );
    expect(identities.rows).toEqual([{ provider: 'oidc', email_verified: true }]);
    expect((await passwordSignin('linda@example.org')).status).toBe(401);
    const oldSession = await fetch(`${hearth}/api/me`, { headers: { cookie: before.cookie ?? '' } });
    expect(oldSession.status).toBe(401);
  });

  it('[OI5] linking to an account whose email is already verified keeps its password', async () => {
    const userId = randomUUID();
    await db.pool.query("insert into users (id, display_name) values ($1, 'Vera')", [userId]);
    await db.pool.query(
      `insert into identities (id, user_id, provider, subject, email, email_verified, password_hash)
       values ($1, $2, 'password', 'vera@example.org', 'vera@example.org', true, $3)`,
      [randomUUID(), userId, await hashPassword(PASSWORD)],
    );
    const browser = new Browser();
    await signInAtProvider(browser, 'links-verified');
    expect((await me(browser)).body.user.id).toBe(userId);
    expect((await passwordSignin('vera@example.org')).status).toBe(200);
  });

  it('[OI6] an unverified email is never linked: a separate account is made', async () => {
    const userId = await passwordSignup('una@example.org');
    const browser = new Browser();
    await signInAtProvider(browser, 'unverified');
    const { body } = await me(browser);
    expect(body.user.id).not.toBe(userId);
    expect(body.email).toBeNull();
    const linked = await db.pool.query("select 1 from identities where user_id = $1 and provider = 'oidc'", [
      userId,
    ]);
    expect(linked.rowCount).toBe(0);
    expect((await passwordSignin('una@example.org')).status).toBe(200);
  });

  it('[OI6] a provider that releases no email gets a new account named from its claims', async () => {
    const browser = new Browser();
    await signInAtProvider(browser, 'no-email');
    expect((await me(browser)).body).toMatchObject({ email: null, user: { displayName: 'Nameless' } });
  });

  it('[OI3] a callback replayed, or opened in another browser, is refused', async () => {
    const browser = new Browser();
    const stopped = await signInAtProvider(browser, 'newcomer', atCallback);
    const callback = stopped.stoppedAt;
    if (callback === undefined) throw new Error('the provider did not redirect back');

    const elsewhere = new Browser();
    const stolen = await elsewhere.navigate(callback, { until: atHearthRoot });
    expect(stolen.stoppedAt?.search).toBe('?auth_error=oidc_failed');
    expect((await me(elsewhere)).status).toBe(401);

    // The other browser was refused before the stored sign-in was read: the rightful one finishes
    // once, and a replay of the same callback fails (single use).
    const first = await browser.navigate(callback, { until: atHearthRoot });
    expect(first.stoppedAt?.search).toBe('');
    const replay = await browser.navigate(callback, { until: atHearthRoot });
    expect(replay.stoppedAt?.search).toBe('?auth_error=oidc_failed');
  });

  it('[OI3] a sign-in finished more than 10 minutes after it started is refused', async () => {
    const browser = new Browser();
    const stopped = await signInAtProvider(browser, 'newcomer', atCallback);
    clockOffsetMs = 11 * 60 * 1000;
    try {
      const late = await browser.navigate(stopped.stoppedAt ?? '', { until: atHearthRoot });
      expect(late.stoppedAt?.search).toBe('?auth_error=oidc_failed');
    } finally {
      clockOffsetMs = 0;
    }
    expect((await me(browser)).status).toBe(401);
  });

  it('[OI7] declining at the provider, or an unknown provider, lands on / with the code', async () => {
    const browser = new Browser();
    const login = await browser.navigate(`${hearth}/api/auth/oidc/test`);
    const abort = new URL(`${login.url.pathname}/abort`, login.url);
    const declined = await browser.navigate(abort, { until: atHearthRoot });
    expect(declined.stoppedAt?.search).toBe('?auth_error=oidc_denied');
    expect((await me(browser)).status).toBe(401);

    const unknown = await new Browser().navigate(`${hearth}/api/auth/oidc/nope`, { until: atHearthRoot });
    expect(unknown.stoppedAt?.search).toBe('?auth_error=oidc_unknown_provider');
  });
});
