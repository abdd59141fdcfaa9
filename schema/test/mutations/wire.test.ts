// The wire of POST /api/mutations is versioned (STYLE.md #12, SPEC WP11) and its body checks are pure.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { wireContract, WIRE_SNAPSHOT_FILE } from '../../src/mutations/contract';
import {
  findBodyProblem,
  formatPath,
  MUTATION_PROTOCOL_VERSION,
  mutationNamed,
  mutationNames,
  mutationRequest,
  mutations,
} from '../../src/mutations/index';
import { newId } from '../../src/ids';

const snapshotPath = fileURLToPath(new URL(`../../src/mutations/${WIRE_SNAPSHOT_FILE}`, import.meta.url));

describe('wire version', () => {
  it('[WP11] the committed snapshot of this protocol version equals the wire the code defines', () => {
    expect(
      fs.existsSync(snapshotPath),
      `No ${WIRE_SNAPSHOT_FILE}: run \`pnpm exec tsx schema/test/mutations/write-wire-snapshot.ts\`.`,
    ).toBe(true);
    const committed: unknown = JSON.parse(fs.readFileSync(snapshotPath, 'utf8'));
    expect(
      wireContract(),
      `The mutation wire changed. Bump MUTATION_PROTOCOL_VERSION (now ${MUTATION_PROTOCOL_VERSION}) ` +
        'in schema/src/mutations/wire.ts and run `pnpm exec tsx schema/test/mutations/write-wire-snapshot.ts`.',
    ).toEqual(committed);
  });

  it('[WP11] the snapshot records its own version and every registered mutation', () => {
    const committed = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as { version: number; args: object };
    expect(committed.version).toBe(MUTATION_PROTOCOL_VERSION);
    expect(Object.keys(committed.args).sort()).toEqual([...mutationNames].sort());
  });
});

describe('registry', () => {
  it('[WP3] every registry key is the name its mutation is sent under', () => {
    for (const [key, mutation] of Object.entries(mutations)) expect(mutation.name).toBe(key);
  });

  it('[WP3] names never resolve through Object.prototype', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])
      expect(mutationNamed(name)).toBeUndefined();
    expect(mutationNamed('updateProfile')).toBe(mutations.updateProfile);
  });
});

describe('request envelope', () => {
  const call = { id: newId(), name: 'updateProfile', args: { bio: 'hi' } };

  it('[WP3] accepts 1..100 mutations with UUID v7 ids', () => {
    expect(mutationRequest.safeParse({ mutations: [call] }).success).toBe(true);
    const hundred = Array.from({ length: 100 }, () => ({ ...call, id: newId() }));
    expect(mutationRequest.safeParse({ mutations: hundred }).success).toBe(true);
  });

  it('[WP3] refuses empty and over-long batches, unknown keys, and ids that are not UUID v7', () => {
    expect(mutationRequest.safeParse({ mutations: [] }).success).toBe(false);
    const many = Array.from({ length: 101 }, () => ({ ...call, id: newId() }));
    expect(mutationRequest.safeParse({ mutations: many }).success).toBe(false);
    expect(mutationRequest.safeParse({ mutations: [call], extra: 1 }).success).toBe(false);
    expect(mutationRequest.safeParse({ mutations: [{ ...call, extra: 1 }] }).success).toBe(false);
    const v4 = '3b241101-e2bb-4255-8caf-4136c566a962';
    expect(mutationRequest.safeParse({ mutations: [{ ...call, id: v4 }] }).success).toBe(false);
  });
});

describe('body checks', () => {
  it('[WP3] finds __proto__, constructor and prototype keys at any depth, with their path', () => {
    const parsed: unknown = JSON.parse('{"mutations":[{"id":"x","name":"n","args":{"a":{"__proto__":{}}}}]}');
    expect(findBodyProblem(parsed)).toEqual({
      kind: 'forbidden_key',
      path: ['mutations', 0, 'args', 'a', '__proto__'],
    });
    expect(findBodyProblem({ constructor: 1 })).toEqual({ kind: 'forbidden_key', path: ['constructor'] });
    expect(findBodyProblem([{ prototype: 1 }])).toEqual({ kind: 'forbidden_key', path: [0, 'prototype'] });
    expect(findBodyProblem({ mutations: [{ args: { name: 'constructor' } }] })).toBeNull();
  });

  it('[WP3] refuses nesting deeper than the limit without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findBodyProblem(deep)?.kind).toBe('too_deep');
    expect(findBodyProblem({ a: { b: { c: 1 } } }, 3)).toBeNull();
    expect(findBodyProblem({ a: { b: { c: {} } } }, 3)).toEqual({ kind: 'too_deep', path: ['a', 'b', 'c'] });
  });

  it('[WP3] names a field the way a person reads it', () => {
    expect(formatPath(['mutations', 2, 'args', 'displayName'])).toBe('mutations[2].args.displayName');
    expect(formatPath([])).toBe('(body)');
  });
});
