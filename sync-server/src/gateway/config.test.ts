// ELECTRIC_URL and ELECTRIC_SECRET (SPEC.md GW4): read by the server's config, checked like the rest.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config';

const ctx = { repoRoot: '/srv/hearth', cwd: '/home/ana/work' };

describe('Electric upstream settings', () => {
  it('[GW4] unset: the gateway uses the in-process engine', () => {
    const result = parseConfig({}, ctx);
    expect(result.ok && result.config.electric).toBe(undefined);
  });

  it('[GW4] ELECTRIC_URL with its secret selects a real Electric', () => {
    const result = parseConfig(
      { ELECTRIC_URL: 'https://electric.example.org', ELECTRIC_SECRET: 's3cret' },
      ctx,
    );
    expect(result.ok && result.config.electric).toEqual({
      url: 'https://electric.example.org',
      secret: 's3cret',
    });
  });

  it('[GW4] a value that is not an http(s) URL is refused with the fix', () => {
    const result = parseConfig({ ELECTRIC_URL: 'ftp://x', ELECTRIC_SECRET: '' }, ctx);
    expect(result).toEqual({
      ok: false,
      errors: [
        expect.stringMatching(/^Invalid ELECTRIC_URL="ftp:\/\/x": use the base URL of an Electric service/),
      ],
    });
    expect(parseConfig({ ELECTRIC_URL: 'not a url' }, ctx).ok).toBe(false);
  });
});
