// Outcomes are a closed set (STYLE.md #5; SPEC WP4..WP7): pure classification of failures and of
// stored receipts met by a replay.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@hearth/schema/errors';
import { MutationRejected } from '@hearth/schema/mutations/index';
import { classifyFailure, notAttempted, outcomeOfReceipt } from './outcome';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'ERROR' });

describe('classifyFailure', () => {
  it('[WP6] a domain refusal is rejected with its own code and message', () => {
    expect(classifyFailure(new MutationRejected(ErrorCode.lastAdmin, 'You are the last admin.'))).toEqual({
      kind: 'rejected',
      code: ErrorCode.lastAdmin,
      message: 'You are the last admin.',
    });
  });

  it('[WP6] data errors from the database are rejections with typed codes', () => {
    expect(classifyFailure(pgError('23505')).code).toBe(ErrorCode.conflict);
    expect(classifyFailure(pgError('23503')).code).toBe(ErrorCode.notFound);
    for (const state of ['23514', '23502', '22001', '22P02'])
      expect(classifyFailure(pgError(state))).toMatchObject({
        kind: 'rejected',
        code: ErrorCode.validationFailed,
      });
  });

  it('[WP7] everything else is retried: lock and deadlock errors, lost connections, bugs', () => {
    expect(classifyFailure(pgError('40P01'))).toMatchObject({ kind: 'retry', code: ErrorCode.unavailable });
    expect(classifyFailure(pgError('55P03'))).toMatchObject({ kind: 'retry', code: ErrorCode.internal });
    expect(classifyFailure(Object.assign(new Error('socket'), { code: 'EPIPE' })).kind).toBe('retry');
    expect(classifyFailure(new TypeError('x is undefined')).kind).toBe('retry');
    expect(classifyFailure('thrown string').kind).toBe('retry');
  });
});

describe('outcomeOfReceipt', () => {
  const caller = { userId: 'u1', name: 'joinCommunity' };
  const accepted = {
    user_id: 'u1',
    mutation: 'joinCommunity',
    status: 'accepted' as const,
    error_code: null,
    error_message: null,
  };

  it('[WP4] a replay answers the stored outcome', () => {
    expect(outcomeOfReceipt('m', accepted, caller)).toEqual({ id: 'm', status: 'accepted' });
    const rejected = {
      ...accepted,
      status: 'rejected' as const,
      error_code: 'forbidden',
      error_message: 'No.',
    };
    expect(outcomeOfReceipt('m', rejected, caller)).toEqual({
      id: 'm',
      status: 'rejected',
      code: 'forbidden',
      message: 'No.',
    });
  });

  it("[WP5] another user's id, or another mutation under the same id, reveals nothing", () => {
    const theirs = outcomeOfReceipt('m', { ...accepted, user_id: 'u2' }, caller);
    const otherName = outcomeOfReceipt('m', { ...accepted, mutation: 'leaveCommunity' }, caller);
    const rejectedTheirs = outcomeOfReceipt(
      'm',
      { ...accepted, user_id: 'u2', status: 'rejected', error_code: 'last_admin', error_message: 'secret' },
      caller,
    );
    expect(theirs).toMatchObject({ status: 'rejected', code: ErrorCode.mutationIdTaken });
    expect(otherName).toEqual(theirs);
    expect(rejectedTheirs).toEqual(theirs);
  });

  it('[WP7] mutations after a retry are not attempted and are retried', () => {
    expect(notAttempted('m')).toMatchObject({ id: 'm', status: 'retry', code: ErrorCode.unavailable });
  });
});
