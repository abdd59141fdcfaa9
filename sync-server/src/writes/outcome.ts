// Pure: the closed set of outcomes (STYLE.md #5). What an error thrown while applying means for the
// client (rejected: drop the overlay; retry: back off and send again), and what a stored receipt
// answers to a replay.
import { ErrorCode } from '@hearth/schema/errors';
import { MutationRejected, type MutationOutcome } from '@hearth/schema/mutations/index';
import type { ReceiptRow } from '@hearth/schema/tables/trust';

export type Failure =
  | { readonly kind: 'rejected'; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'retry'; readonly code: ErrorCode; readonly message: string };

/** A Postgres error as node-postgres raises it: a SQLSTATE plus a severity. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('severity' in error) || !('code' in error))
    return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** [WP6] Domain refusals and data errors are rejections; anything else is the server's fault: retry. */
export function classifyFailure(error: unknown): Failure {
  if (error instanceof MutationRejected)
    return { kind: 'rejected', code: error.code, message: error.message };
  const state = sqlState(error);
  if (state === '23505')
    return {
      kind: 'rejected',
      code: ErrorCode.conflict,
      message: 'This conflicts with something that already exists.',
    };
  if (state === '23503')
    return {
      kind: 'rejected',
      code: ErrorCode.notFound,
      message: 'This refers to something that does not exist.',
    };
  if (state === '23514' || state === '23502' || state?.startsWith('22'))
    return {
      kind: 'rejected',
      code: ErrorCode.validationFailed,
      message: 'A value was refused by the data rules.',
    };
  if (state === '40001' || state === '40P01')
    return {
      kind: 'retry',
      code: ErrorCode.unavailable,
      message: 'The server was busy with a conflicting write; send it again.',
    };
  return {
    kind: 'retry',
    code: ErrorCode.internal,
    message: 'Something went wrong on the server. It was logged; send it again later.',
  };
}

export type StoredReceipt = Pick<
  ReceiptRow,
  'user_id' | 'mutation' | 'status' | 'error_code' | 'error_message'
>;

const ID_TAKEN_MESSAGE =
  'This mutation id was already used for another mutation; make a new id for this one.';

/**
 * [WP4][WP5] A replay answers the stored outcome; an id stored for another user or another mutation
 * is refused without saying anything about the stored one.
 */
export function outcomeOfReceipt(
  id: string,
  receipt: StoredReceipt,
  caller: { readonly userId: string; readonly name: string },
): MutationOutcome {
  if (receipt.user_id !== caller.userId || receipt.mutation !== caller.name)
    return { id, status: 'rejected', code: ErrorCode.mutationIdTaken, message: ID_TAKEN_MESSAGE };
  if (receipt.status === 'accepted') return { id, status: 'accepted' };
  return {
    id,
    status: 'rejected',
    code: (receipt.error_code ?? ErrorCode.internal) as ErrorCode,
    message: receipt.error_message ?? '',
  };
}

/** [WP7] The mutations after one that must be retried are not attempted; they are retried too. */
export function notAttempted(id: string): MutationOutcome {
  return {
    id,
    status: 'retry',
    code: ErrorCode.unavailable,
    message: 'Not attempted: an earlier mutation in this batch must be retried first.',
  };
}
