// The gateway's pure core: what passes from a client's query, what the upstream gets, and the headers
// a client sees under each cache policy (SPEC.md GW2, GW3, GW5).
import { describe, expect, it } from 'vitest';
import {
  cachePolicy,
  clientHeaders,
  mustRefetchHeaders,
  privateCacheControl,
  readClientQuery,
  upstreamQuery,
} from './request';

describe('client query', () => {
  it('[GW2] protocol parameters pass, the last of a repeated one wins, anything else is dropped', () => {
    const read = readClientQuery({
      offset: ['-1', '0_0'],
      handle: 'h-1',
      live: 'true',
      cursor: '42',
      'cache-buster': 'x',
      expired_handle: 'h-0',
      log: 'full',
      live_sse: 'true',
      _: '123',
      utm_source: 'mail',
    });
    expect(read).toEqual({
      ok: true,
      live: true,
      pass: [
        ['offset', '0_0'],
        ['handle', 'h-1'],
        ['live', 'true'],
        ['live_sse', 'true'],
        ['cursor', '42'],
        ['expired_handle', 'h-0'],
        ['cache-buster', 'x'],
        ['log', 'full'],
      ],
    });
    expect(readClientQuery({ offset: '-1', live: 'false' })).toMatchObject({ ok: true, live: false });
  });

  it('[GW2] table, where, columns, params, replica, subsets and secrets are refused with a typed code', () => {
    for (const name of [
      'table',
      'where',
      'columns',
      'params',
      'params[1]',
      'replica',
      'subset__where',
      'secret',
      'api_secret',
    ]) {
      const read = readClientQuery({ offset: '-1', [name]: 'x' });
      expect(read).toMatchObject({ ok: false, code: 'shape_param_refused' });
      if (!read.ok) expect(read.message).toContain(name);
    }
  });
});

describe('upstream query', () => {
  it('[GW3] the server definition, quoted columns, numbered params, then the protocol parameters', () => {
    const search = upstreamQuery(
      {
        table: 'rsvps',
        columns: ['id', 'event_id'],
        where: '(user_id = $1) OR (event_id = ANY($2))',
        params: { '1': 'u', '2': '{}' },
      },
      [
        ['offset', '-1'],
        ['log', 'full'],
      ],
    );
    expect([...search]).toEqual([
      ['table', 'rsvps'],
      ['columns', '"id","event_id"'],
      ['where', '(user_id = $1) OR (event_id = ANY($2))'],
      ['params[1]', 'u'],
      ['params[2]', '{}'],
      ['offset', '-1'],
      ['log', 'full'],
    ]);
    expect(upstreamQuery({ table: 'tags', columns: ['id'], where: null, params: {} }).has('where')).toBe(
      false,
    );
  });
});

describe('response headers', () => {
  const upstream = {
    'electric-handle': '1-2',
    'electric-offset': '0_0',
    'electric-schema': '{}',
    etag: '"1-2:-1:0_0"',
    'cache-control': 'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
    'access-control-allow-origin': '*',
    'content-length': '10',
    connection: 'keep-alive',
    'content-type': 'application/json; charset=utf-8',
  };

  it('[GW5] a shape for everyone keeps the shared cache headers; CORS and hop-by-hop headers stay behind', () => {
    expect(clientHeaders(upstream, cachePolicy('everyone', true))).toEqual({
      'electric-handle': '1-2',
      'electric-offset': '0_0',
      'electric-schema': '{}',
      etag: '"1-2:-1:0_0"',
      'cache-control': 'public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746',
      'content-type': 'application/json; charset=utf-8',
    });
  });

  it('[GW5] the anonymous slice is cached per cookie; one viewer rows are private', () => {
    expect(clientHeaders(upstream, cachePolicy('viewer', false))).toMatchObject({
      vary: 'Cookie',
      'cache-control': upstream['cache-control'],
    });
    const own = clientHeaders(upstream, cachePolicy('viewer', true));
    expect(own).toMatchObject({
      vary: 'Cookie',
      'cache-control': 'private, max-age=604800, stale-while-revalidate=2629746',
      'surrogate-control': 'no-store',
    });
    expect(cachePolicy('signed-in', true)).toBe('private');
  });

  it('[GW5] private cache control drops shared-cache directives and keeps the rest', () => {
    expect(privateCacheControl('public, max-age=5, stale-while-revalidate=5')).toBe(
      'private, max-age=5, stale-while-revalidate=5',
    );
    expect(privateCacheControl('no-store')).toBe('private, no-store');
    expect(privateCacheControl(undefined)).toBe('private, no-cache');
  });

  it('[GW6] the gateway own must-refetch names the new handle and is never stored', () => {
    expect(mustRefetchHeaders('private', 'h-2')).toEqual({
      'cache-control': 'private, no-store',
      'surrogate-control': 'no-store',
      vary: 'Cookie',
      'electric-handle': 'h-2',
    });
  });
});
