// Pure: a parsed request body in, the mutations to run (args parsed by each one's own schema) or the
// one 400 that refuses the whole batch out. A batch with any malformed part applies nothing (WP3).
import { ErrorCode } from '@hearth/schema/errors';
import {
  findBodyProblem,
  formatPath,
  MUTATION_LIMITS,
  mutationRequest,
  type AnyMutation,
  type MutationErrorBody,
} from '@hearth/schema/mutations/index';

export interface PlannedMutation {
  readonly id: string;
  readonly name: string;
  readonly mutation: AnyMutation;
  /** Already parsed by `mutation.args`. */
  readonly args: unknown;
}

export type Plan =
  | { readonly ok: true; readonly steps: readonly PlannedMutation[] }
  | { readonly ok: false; readonly error: MutationErrorBody };

function refuse(code: ErrorCode, message: string, mutationId?: string): Plan {
  return { ok: false, error: mutationId === undefined ? { code, message } : { code, message, mutationId } };
}

/** The id of item `index`, when the body has a readable one (to name the mutation at fault). */
function idAt(body: unknown, index: unknown): string | undefined {
  if (typeof index !== 'number' || typeof body !== 'object' || body === null) return undefined;
  const list = (body as { mutations?: unknown }).mutations;
  const item: unknown = Array.isArray(list) ? list[index] : undefined;
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 36 ? id : undefined;
}

export function planBatch(body: unknown, lookup: (name: string) => AnyMutation | undefined): Plan {
  const problem = findBodyProblem(body);
  if (problem) {
    const at = formatPath(problem.path);
    const mutationId = problem.path[0] === 'mutations' ? idAt(body, problem.path[1]) : undefined;
    return problem.kind === 'forbidden_key'
      ? refuse(
          ErrorCode.validationFailed,
          `${at}: keys named __proto__, constructor or prototype are not allowed.`,
          mutationId,
        )
      : refuse(
          ErrorCode.validationFailed,
          `${at}: nested deeper than ${MUTATION_LIMITS.maxDepth} levels; no mutation takes such args.`,
          mutationId,
        );
  }

  const list =
    typeof body === 'object' && body !== null ? (body as { mutations?: unknown }).mutations : undefined;
  if (Array.isArray(list) && list.length > MUTATION_LIMITS.maxBatch)
    return refuse(
      ErrorCode.batchTooLarge,
      `mutations: send at most ${MUTATION_LIMITS.maxBatch} mutations per request (this one has ${list.length}).`,
    );

  const envelope = mutationRequest.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const path = issue?.path ?? [];
    const mutationId = path[0] === 'mutations' ? idAt(body, path[1]) : undefined;
    return refuse(
      ErrorCode.validationFailed,
      `${formatPath(path)}: ${issue?.message ?? 'invalid'}.`,
      mutationId,
    );
  }

  const steps: PlannedMutation[] = [];
  const seen = new Map<string, number>();
  for (const [index, call] of envelope.data.mutations.entries()) {
    const earlier = seen.get(call.id);
    if (earlier !== undefined)
      return refuse(
        ErrorCode.validationFailed,
        `mutations[${index}].id: the same id as mutations[${earlier}]; each mutation needs its own id.`,
        call.id,
      );
    seen.set(call.id, index);

    const mutation = lookup(call.name);
    if (!mutation)
      return refuse(
        ErrorCode.unknownMutation,
        `mutations[${index}].name: there is no mutation named ${JSON.stringify(call.name)}.`,
        call.id,
      );

    const args = mutation.args.safeParse(call.args);
    if (!args.success) {
      const issue = args.error.issues[0];
      const at = formatPath(['mutations', index, 'args', ...(issue?.path ?? [])]);
      return refuse(ErrorCode.validationFailed, `${at}: ${issue?.message ?? 'invalid'}.`, call.id);
    }
    steps.push({ id: call.id, name: call.name, mutation, args: args.data });
  }
  return { ok: true, steps };
}
