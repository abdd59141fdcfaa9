// Who is asking and how: the client's IP (rate limits), whether the request came over TLS (the
// cookie's Secure flag) and the origin this server answers at (CSRF, OIDC redirect URIs).
// X-Forwarded-* are believed only with TRUST_PROXY, and then only the hop our one proxy added.
import type { FastifyRequest } from 'fastify';
import { asOrigin, type AuthConfig } from './config';

export interface RequestFacts {
  ip: string;
  secure: boolean;
  /** scheme://host[:port] of this server as the browser sees it; undefined without Host or PUBLIC_URL. */
  ownOrigin: string | undefined;
}

export interface RawRequest {
  socketIp: string;
  socketEncrypted: boolean;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

function header(headers: RawRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** The entry our proxy appended: the right-most one (earlier ones were sent by the client). */
function lastListed(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items[items.length - 1];
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** Pure: the facts from what the socket and the headers say, under the trust configuration. */
export function requestFactsFrom(
  raw: RawRequest,
  config: Pick<AuthConfig, 'trustProxy' | 'publicUrl'>,
): RequestFacts {
  const trusted = config.trustProxy;
  const forwardedProto = trusted
    ? lastListed(header(raw.headers, 'x-forwarded-proto'))?.toLowerCase()
    : undefined;
  const secure = raw.socketEncrypted || forwardedProto === 'https';
  const ip = (trusted ? lastListed(header(raw.headers, 'x-forwarded-for')) : undefined) ?? raw.socketIp;
  let ownOrigin = config.publicUrl;
  if (ownOrigin === undefined) {
    const host =
      (trusted ? lastListed(header(raw.headers, 'x-forwarded-host')) : undefined) ??
      header(raw.headers, 'host');
    // Through URL: a default port (:443 on https) drops out, as it does from a browser's Origin.
    if (host !== undefined && HOST.test(host)) ownOrigin = asOrigin(`${secure ? 'https' : 'http'}://${host}`);
  }
  return { ip, secure, ownOrigin };
}

export function requestFacts(request: FastifyRequest, config: AuthConfig): RequestFacts {
  const socket = request.raw.socket as { encrypted?: boolean; remoteAddress?: string } | undefined;
  return requestFactsFrom(
    {
      socketIp: socket?.remoteAddress ?? request.ip,
      socketEncrypted: socket?.encrypted === true,
      headers: request.headers,
    },
    config,
  );
}
