import { describe, expect, it } from 'vitest';
import { corsHeaders, definitionCacheKey, preflightHeaders, secretAccepted, secretChecker } from './headers';

describe('shape endpoint headers', () => {
  it('[SE36] CORS echoes the origin and exposes every electric-* header the client reads', () => {
    const headers = corsHeaders('http://app.test');
    expect(headers['access-control-allow-origin']).toBe('http://app.test');
    expect(headers.vary).toBe('origin');
    for (const name of [
      'electric-handle',
      'electric-offset',
      'electric-schema',
      'electric-cursor',
      'electric-up-to-date',
    ]) {
      expect(headers['access-control-expose-headers']?.split(',')).toContain(name);
    }
    expect(corsHeaders(undefined)['access-control-allow-origin']).toBe('*');
    expect(preflightHeaders(undefined, 'x-a')).toMatchObject({
      'access-control-max-age': '86400',
      'access-control-allow-headers': 'x-a',
    });
  });

  it('[SE36] the secret is required when set, as secret or api_secret', () => {
    expect(secretAccepted({}, undefined)).toBe(true);
    expect(secretAccepted({}, 's3cret')).toBe(false);
    expect(secretAccepted({ secret: 'nope' }, 's3cret')).toBe(false);
    expect(secretAccepted({ secret: 's3cret' }, 's3cret')).toBe(true);
    expect(secretAccepted({ api_secret: 's3cret' }, 's3cret')).toBe(true);
  });

  it('[SE59] a checker accepts its secret every time, and still refuses look-alikes', () => {
    const check = secretChecker('s3cret');
    for (let i = 0; i < 3; i++) {
      expect(check({ secret: 's3cret' })).toBe(true);
      expect(check({ api_secret: ['old', 's3cret'] })).toBe(true);
    }
    for (const given of ['s3cre', 's3crett', 'S3cret', 's3cret ', '', 's3cres'])
      expect(check({ secret: given })).toBe(false);
    expect(check({})).toBe(false);
  });

  it('[SE53] the definition cache key holds the definition params and the schema version, not the request ones', () => {
    const a = definitionCacheKey({ table: 't', where: 'a = $1', 'params[1]': 'x', offset: '-1' }, 1);
    expect(
      definitionCacheKey({ 'params[1]': 'x', where: 'a = $1', table: 't', offset: '0_0', handle: 'h' }, 1),
    ).toBe(a);
    expect(definitionCacheKey({ table: 't', where: 'a = $1', 'params[1]': 'y' }, 1)).not.toBe(a);
    expect(definitionCacheKey({ table: 't', where: 'a = $1', 'params[1]': 'x' }, 2)).not.toBe(a);
  });
});
