// A real OpenID Connect provider for tests (the `oidc-provider` package, with its development
// login and consent pages) on a local port, and a small cookie-keeping "browser" that drives it with
// real HTTP requests: manual redirects, a cookie jar, form posts.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider, { type Account } from 'oidc-provider';
import { CookieJar } from 'tough-cookie';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProviderOptions {
  /** Bind here (get one from get-port) so the issuer URL is known before Hearth is configured. */
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** By account id: what the login form accepts as `login`, and the claims it releases. */
  accounts: Readonly<Record<string, TestAccount>>;
}

export interface TestProvider {
  issuer: string;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: TestProviderOptions): Promise<TestProvider> {
  const issuer = `http://127.0.0.1:${options.port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE for every client, not only public ones.
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['hearth-test-provider-cookie-key'] },
    // Our own signing key and lifetimes, so the provider does not fall back to its quick-start ones.
    jwks: { keys: [signingKey] },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    findAccount: (_ctx, id): Account | undefined => {
      const account = options.accounts[id];
      if (account === undefined) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
  });
  const handle = provider.callback();
  // Koa answers errors itself; the promise is only its completion.
  const server = http.createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface Page {
  url: URL;
  status: number;
  body: string;
  /** Set when a redirect was not followed because `until` matched it. */
  stoppedAt?: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function decodeHtml(value: string): string {
  return value
    .replaceAll('&amp;', '&')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
}

/** What a browser does with cookies and redirects, without the rendering. */
export class Browser {
  readonly jar = new CookieJar();
  /** Every URL requested, in order. */
  readonly visited: URL[] = [];

  async request(url: URL, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}) {
    this.visited.push(url);
    const headers: Record<string, string> = {};
    const cookie = await this.jar.getCookieString(url.href);
    if (cookie !== '') headers.cookie = cookie;
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = url.origin;
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    for (const setCookie of response.headers.getSetCookie()) await this.jar.setCookie(setCookie, url.href);
    return response;
  }

  /** Follows redirects (a POST answered 303 continues as GET) until a page, or until `until` matches. */
  async navigate(
    start: URL | string,
    init: { method?: 'GET' | 'POST'; form?: Record<string, string>; until?: (url: URL) => boolean } = {},
  ): Promise<Page> {
    let url = new URL(start);
    let request: { method?: 'GET' | 'POST'; form?: Record<string, string> } = init;
    for (let hops = 0; hops < 20; hops += 1) {
      const response = await this.request(url, request);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null)
        return { url, status: response.status, body: await response.text() };
      await response.body?.cancel();
      const next = new URL(location, url);
      if (init.until?.(next)) return { url, status: response.status, body: '', stoppedAt: next };
      url = next;
      request = {};
    }
    throw new Error(`more than 20 redirects, last at ${url.href}`);
  }

  /** Submits the page's first form, with its hidden inputs and `fields`, the way a browser would. */
  submitForm(page: Page, fields: Record<string, string> = {}, until?: (url: URL) => boolean): Promise<Page> {
    const form = /<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
    if (form === null)
      throw new Error(`no form on ${page.url.href} (${page.status}): ${page.body.slice(0, 300)}`);
    const hidden: Record<string, string> = {};
    for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      const value = /value="([^"]*)"/.exec(input[0])?.[1];
      if (name !== undefined) hidden[name] = decodeHtml(value ?? '');
    }
    const action = new URL(decodeHtml(form[1] ?? ''), page.url);
    return this.navigate(action, {
      method: 'POST',
      form: { ...hidden, ...fields },
      ...(until ? { until } : {}),
    });
  }
}
