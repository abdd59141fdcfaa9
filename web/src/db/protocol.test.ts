// The replica's own messages between tabs and the leader worker (./protocol): only well-formed ones count.
import { describe, expect, it } from 'vitest';
import { ReplicaErrorCode, isReplicaErrorMessage, isReplicaFlushMessage } from './protocol';

describe('replica messages', () => {
  it('[OB16] a flush request and its answer are recognised, anything else is not', () => {
    expect(isReplicaFlushMessage({ type: 'flush', id: 'a' })).toBe(true);
    expect(isReplicaFlushMessage({ type: 'flushed', id: 'a', error: null })).toBe(true);
    expect(isReplicaFlushMessage({ type: 'flushed', id: 'a', error: 'QuotaExceededError' })).toBe(true);
    expect(isReplicaFlushMessage({ type: 'flushed', id: 'a' })).toBe(false);
    expect(isReplicaFlushMessage({ type: 'flush' })).toBe(false);
    expect(isReplicaFlushMessage({ type: 'sync-stop', id: 'a' })).toBe(false);
    expect(isReplicaFlushMessage(null)).toBe(false);
  });

  it('a replica error names a known code', () => {
    const message = { type: 'replica-error', code: ReplicaErrorCode.FLUSH_FAILED, message: 'full' };
    expect(isReplicaErrorMessage(message)).toBe(true);
    expect(isReplicaErrorMessage({ ...message, code: 'SOMETHING_ELSE' })).toBe(false);
  });
});
