// The wire of `POST /api/mutations` (STYLE.md #12): request, response and error schemas, their limits
// and the protocol version. `wire.test.ts` fails when the JSON Schema of any of them (or of a
// mutation's args) changes without a new version and a new committed `wire.v<N>.json`.
import { z } from 'zod';
import type { ErrorCode } from '../errors';

export const MUTATION_PROTOCOL_VERSION = 1;

export const MUTATION_LIMITS = {
  /** Mutations per request; the outbox sender sends longer queues in several requests. */
  maxBatch: 100,
  /** Bytes of JSON per request; the sender also splits by size. */
  maxBodyBytes: 1024 * 1024,
  /** Nesting of objects and arrays anywhere in the body. */
  maxDepth: 16,
  maxNameLength: 100,
} as const;

/** Keys that could reach an object's prototype chain in some consumer: refused anywhere in a body. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const mutationCall = z.strictObject({
  /** Made by the client, once per intent (UUID v7): the idempotency key. */
  id: z.uuid({ version: 'v7' }),
  name: z.string().min(1).max(MUTATION_LIMITS.maxNameLength),
  /** Checked against the named mutation's own schema. */
  args: z.unknown(),
});

export const mutationRequest = z.strictObject({
  mutations: z.array(mutationCall).min(1).max(MUTATION_LIMITS.maxBatch),
});

export const OUTCOME_STATUSES = ['accepted', 'rejected', 'retry'] as const;

export const mutationOutcome = z.strictObject({
  id: z.string(),
  status: z.enum(OUTCOME_STATUSES),
  /** An ErrorCode from schema/src/errors.ts (a string on the wire, so new codes are not a new version). */
  code: z.string().optional(),
  message: z.string().optional(),
});

export const mutationResponse = z.strictObject({ outcomes: z.array(mutationOutcome) });

/** A refused request (401, 400, 413): nothing in it was applied. */
export const mutationErrorBody = z.strictObject({
  code: z.string(),
  message: z.string(),
  /** The mutation at fault, when one is. */
  mutationId: z.string().optional(),
});

export type MutationCall = z.infer<typeof mutationCall>;
export type MutationRequest = z.infer<typeof mutationRequest>;
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];

export type MutationOutcome =
  | { readonly id: string; readonly status: 'accepted' }
  | {
      readonly id: string;
      readonly status: 'rejected' | 'retry';
      readonly code: ErrorCode;
      readonly message: string;
    };

export interface MutationResponse {
  readonly outcomes: readonly MutationOutcome[];
}

export interface MutationErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly mutationId?: string;
}

/** `mutations[0].args.displayName`: how a message names a field. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(body)' : out;
}

export type BodyProblem =
  | { readonly kind: 'forbidden_key'; readonly path: readonly PropertyKey[] }
  | { readonly kind: 'too_deep'; readonly path: readonly PropertyKey[] };

/** The first forbidden key or too-deep nesting in a parsed JSON value (iterative: no stack to blow). */
export function findBodyProblem(
  value: unknown,
  maxDepth: number = MUTATION_LIMITS.maxDepth,
): BodyProblem | null {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: PropertyKey[] };
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return { kind: 'too_deep', path };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    const keys = Object.keys(current);
    for (const key of keys)
      if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden_key', path: [...path, key] };
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      stack.push({ value: (current as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return null;
}
