// The community form's pure part (./SPEC.md GW9).
import { describe, expect, it } from 'vitest';
import { policyFor, slugOf } from './community-form';

describe('community form', () => {
  it('[GW9] a name suggests an address the server accepts', () => {
    expect(slugOf('Lagos Poets’ Café!')).toBe('lagos-poets-cafe');
    expect(slugOf('  --Hello   World-- ')).toBe('hello-world');
    expect(slugOf('a'.repeat(70))).toHaveLength(64);
    expect(slugOf('日本')).toBe('');
  });

  it('[GW9] a private community takes members by approval', () => {
    expect(policyFor('private', 'open')).toBe('approval');
    expect(policyFor('public', 'open')).toBe('open');
  });
});
