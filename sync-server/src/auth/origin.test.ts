import { describe, expect, it } from 'vitest';
import { originVerdict, type OriginInput } from './origin';
import { requestFactsFrom } from './request-facts';

const OWN = 'https://hearth.example.org';
const prod = { allowedOrigins: [] as string[], dev: false };

function verdict(overrides: Partial<OriginInput>) {
  return originVerdict({
    method: 'POST',
    path: '/api/mutations',
    origin: undefined,
    referer: undefined,
    ownOrigin: OWN,
    config: prod,
    ...overrides,
  });
}

describe('origin check', () => {
  it('[CS1] a state-changing /api request from our own origin passes', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'post'])
      expect(verdict({ method, origin: OWN })).toBe('allowed');
  });

  it('[CS1] another origin is refused, including look-alikes and another scheme or port', () => {
    for (const origin of [
      'https://evil.example',
      'https://hearth.example.org.evil.example',
      'http://hearth.example.org',
      'https://hearth.example.org:8443',
    ])
      expect(verdict({ origin })).toBe('mismatch');
  });

  it('[CS1] without Origin, the Referer’s origin decides', () => {
    expect(verdict({ referer: `${OWN}/communities/42?tab=events` })).toBe('allowed');
    expect(verdict({ referer: 'https://evil.example/hearth.example.org' })).toBe('mismatch');
  });

  it('[CS2] Origin: null, a garbled one, or neither header is refused', () => {
    expect(verdict({ origin: 'null' })).toBe('mismatch');
    expect(verdict({ origin: 'not a url' })).toBe('mismatch');
    expect(verdict({ referer: 'not a url' })).toBe('mismatch');
    expect(verdict({})).toBe('missing');
  });

  it('[CS1] ALLOWED_ORIGINS are accepted; the Vite dev origin only in development', () => {
    const config = { allowedOrigins: ['https://app.example.org'], dev: false };
    expect(verdict({ origin: 'https://app.example.org', config })).toBe('allowed');
    expect(verdict({ origin: 'http://localhost:5173' })).toBe('mismatch');
    expect(verdict({ origin: 'http://localhost:5173', config: { allowedOrigins: [], dev: true } })).toBe(
      'allowed',
    );
  });

  it('[CS3] reads, and paths outside /api, are not checked', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS'])
      expect(verdict({ method, origin: 'https://evil.example' })).toBe('not-checked');
    expect(verdict({ path: '/healthz' })).toBe('not-checked');
    expect(verdict({ path: '/apiary' })).toBe('not-checked');
    expect(verdict({ path: '/api' })).toBe('missing');
  });
});

describe('request facts', () => {
  const raw = {
    socketIp: '10.0.0.2',
    socketEncrypted: false,
    headers: {
      host: 'hearth.example.org',
      'x-forwarded-for': '203.0.113.9, 198.51.100.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'public.example.org',
    },
  };

  it('[RL3] [SS2] without TRUST_PROXY, forwarded headers are ignored', () => {
    expect(requestFactsFrom(raw, { trustProxy: false, publicUrl: undefined })).toEqual({
      ip: '10.0.0.2',
      secure: false,
      ownOrigin: 'http://hearth.example.org',
    });
  });

  it('[RL3] [SS2] with TRUST_PROXY, the hop our proxy added is believed', () => {
    expect(requestFactsFrom(raw, { trustProxy: true, publicUrl: undefined })).toEqual({
      ip: '198.51.100.7',
      secure: true,
      ownOrigin: 'https://public.example.org',
    });
  });

  it('[SS2] a TLS socket is secure by itself; PUBLIC_URL names our origin whatever Host says', () => {
    const facts = requestFactsFrom(
      { ...raw, socketEncrypted: true, headers: { host: 'evil.example:443' } },
      { trustProxy: false, publicUrl: OWN },
    );
    expect(facts).toEqual({ ip: '10.0.0.2', secure: true, ownOrigin: OWN });
    expect(
      requestFactsFrom(
        { ...raw, socketEncrypted: true, headers: { host: 'hearth.example.org:443' } },
        {
          trustProxy: false,
          publicUrl: undefined,
        },
      ).ownOrigin,
    ).toBe(OWN);
    expect(
      requestFactsFrom(
        { ...raw, headers: { host: 'bad host/x' } },
        { trustProxy: false, publicUrl: undefined },
      ).ownOrigin,
    ).toBeUndefined();
  });
});
