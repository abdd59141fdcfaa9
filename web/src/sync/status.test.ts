// The read half's pure rules (./SPEC.md): shapes per viewer, progress, a tab's status, backoff, errors.
import { namedShapes } from '@hearth/schema/shapes/catalogue';
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  indicatorOf,
  progressState,
  shapeNamesFor,
  subscriptionKey,
  syncErrorOf,
  syncStatusOf,
  SyncErrorCode,
  type WorkerSyncState,
} from './status';

const live: WorkerSyncState = { phase: 'up-to-date', progress: { shapesUpToDate: 4, shapesTotal: 4 } };

describe('sync status', () => {
  it('[SY1] a signed-in viewer syncs every named shape, an anonymous one never a signed-in shape', () => {
    expect(shapeNamesFor(true)).toEqual(namedShapes.map((shape) => shape.name));
    const anonymous = shapeNamesFor(false);
    expect(anonymous).toContain('events');
    expect(anonymous).toContain('stories');
    expect(anonymous).not.toContain('receipts');
    for (const name of anonymous)
      expect(namedShapes.find((shape) => shape.name === name)?.access).not.toBe('signed-in');
  });

  it('[SY2] each identity has its own subscription key', () => {
    expect(subscriptionKey(null)).toBe('hearth:anonymous');
    expect(subscriptionKey('u1')).not.toBe(subscriptionKey('u2'));
    expect(subscriptionKey('u1')).not.toBe(subscriptionKey(null));
  });

  it('[SY3] a fresh replica is initial until its first full sync lands, then live or catching up', () => {
    const facts = { fresh: true, initialSyncDone: false, shapesUpToDate: 2, shapesTotal: 5 };
    expect(progressState(facts)).toEqual({
      phase: 'initial',
      progress: { shapesUpToDate: 2, shapesTotal: 5 },
    });
    expect(progressState({ ...facts, fresh: false }).phase).toBe('syncing');
    expect(progressState({ ...facts, initialSyncDone: true, shapesUpToDate: 5 }).phase).toBe('up-to-date');
    expect(progressState({ ...facts, initialSyncDone: true, shapesUpToDate: 4 }).phase).toBe('syncing');
  });

  it('[SY4] offline wins over what the worker said; silence from the worker is syncing', () => {
    expect(syncStatusOf(live, false)).toEqual({ phase: 'offline', progress: live.progress });
    expect(syncStatusOf(null, true).phase).toBe('syncing');
    expect(syncStatusOf(null, false).phase).toBe('offline');
    expect(syncStatusOf(live, true)).toEqual(live);
    const error = syncErrorOf(new TypeError('Failed to fetch'));
    expect(syncStatusOf({ phase: 'error', progress: live.progress, error }, true)).toEqual({
      phase: 'error',
      progress: live.progress,
      error,
    });
  });

  it('[SY5] retries back off exponentially with jitter, up to the cap', () => {
    const policy = { baseMs: 1000, capMs: 8000 };
    expect(backoffDelay(0, 0, policy)).toBe(500);
    expect(backoffDelay(0, 0.999999, policy)).toBe(1000);
    expect(backoffDelay(2, 0, policy)).toBe(2000);
    expect(backoffDelay(3, 1, policy)).toBe(8000);
    expect(backoffDelay(30, 1, policy)).toBe(8000);
    for (let attempt = 0; attempt < 6; attempt++)
      expect(backoffDelay(attempt + 1, 0, policy)).toBeGreaterThanOrEqual(backoffDelay(attempt, 0, policy));
  });

  it('[SY6] a failure becomes a typed error with a message a person can act on', () => {
    expect(syncErrorOf({ status: 401 }).code).toBe(SyncErrorCode.SHAPE_REFUSED);
    expect(syncErrorOf({ status: 401 }).message).toMatch(/sign in/i);
    expect(syncErrorOf({ status: 404 }).code).toBe(SyncErrorCode.SHAPE_REFUSED);
    expect(syncErrorOf({ status: 502 }).code).toBe(SyncErrorCode.SERVER_UNAVAILABLE);
    expect(syncErrorOf(new TypeError('Failed to fetch')).code).toBe(SyncErrorCode.SERVER_UNAVAILABLE);
    const apply = syncErrorOf(new Error('duplicate key'));
    expect(apply.code).toBe(SyncErrorCode.APPLY_FAILED);
    expect(apply.message).toContain('duplicate key');
  });

  it('[SY9] the indicator puts what the user did before how far the sync got', () => {
    const none = { pending: 0, rejected: 0 };
    expect(indicatorOf(syncStatusOf(live, true), none)).toEqual({ state: 'up-to-date', text: 'Up to date' });
    expect(indicatorOf(syncStatusOf(live, false), { pending: 2, rejected: 0 })).toEqual({
      state: 'offline',
      text: 'Offline · 2 pending',
    });
    expect(indicatorOf(syncStatusOf(live, true), { pending: 3, rejected: 0 }).text).toBe('3 pending');
    expect(indicatorOf(syncStatusOf(live, true), { pending: 1, rejected: 1 }).state).toBe('rejected');
    expect(indicatorOf(syncStatusOf(null, true), none).state).toBe('syncing');
  });
});
