// The sign-out flow (SPEC.md AU7, AU8): flush when that can work, ask before discarding, then go.
import { describe, expect, it } from 'vitest';
import { IDLE, signOutStep, type SignOutEvent, type SignOutState } from './signout-flow';

const run = (events: SignOutEvent[], from: SignOutState = IDLE) => events.reduce(signOutStep, from);
const start = (pending: number, online = true, canSend = true): SignOutEvent => ({
  type: 'start',
  pending,
  online,
  canSend,
});

describe('[AU7] flushing first', () => {
  it('[AU7] nothing pending: signing out goes straight on, discarding nothing', () => {
    expect(run([start(0)])).toEqual({ phase: 'signing-out', discarded: 0 });
    expect(run([start(0, false)])).toEqual({ phase: 'signing-out', discarded: 0 });
  });

  it('[AU7] pending changes online: waits for the sender, counting down, then signs out', () => {
    expect(run([start(3)])).toEqual({ phase: 'flushing', pending: 3 });
    expect(run([start(3), { type: 'outbox', pending: 1, online: true }])).toEqual({
      phase: 'flushing',
      pending: 1,
    });
    expect(run([start(3), { type: 'outbox', pending: 0, online: true }])).toEqual({
      phase: 'signing-out',
      discarded: 0,
    });
  });

  it('[AU7] the sender does not finish in time: the person is asked', () => {
    expect(run([start(2), { type: 'timeout' }])).toEqual({
      phase: 'confirm',
      pending: 2,
      reason: 'timed-out',
    });
  });

  it('[AU7] the connection drops while flushing: the person is asked', () => {
    expect(run([start(2), { type: 'outbox', pending: 2, online: false }])).toEqual({
      phase: 'confirm',
      pending: 2,
      reason: 'offline',
    });
  });

  it('[AU7] offline, or a session the server refuses: no flush is tried, the person is asked at once', () => {
    expect(run([start(1, false)])).toEqual({ phase: 'confirm', pending: 1, reason: 'offline' });
    expect(run([start(1, true, false)])).toEqual({ phase: 'confirm', pending: 1, reason: 'cannot-send' });
  });

  it('[AU7] Cancel while flushing keeps everything; a late timeout changes nothing', () => {
    expect(run([start(2), { type: 'cancel' }, { type: 'timeout' }])).toEqual(IDLE);
  });

  it('[AU7] asking twice does not restart a flow under way', () => {
    const flushing = run([start(2)]);
    expect(signOutStep(flushing, start(5))).toBe(flushing);
  });
});

describe('[AU8] asking before discarding', () => {
  const asked = run([start(2, false)]);

  it('[AU8] Cancel keeps the changes and the session', () => {
    expect(signOutStep(asked, { type: 'cancel' })).toEqual(IDLE);
  });

  it('[AU8] "Sign out anyway" signs out discarding the pending changes', () => {
    expect(signOutStep(asked, { type: 'discard' })).toEqual({ phase: 'signing-out', discarded: 2 });
  });

  it('[AU8] changes that reach the server while the dialog is open leave nothing to warn about', () => {
    expect(signOutStep(asked, { type: 'outbox', pending: 1, online: true })).toEqual({
      ...asked,
      pending: 1,
    });
    expect(signOutStep(asked, { type: 'outbox', pending: 0, online: true })).toEqual({
      phase: 'signing-out',
      discarded: 0,
    });
  });

  it('[AU8] "discard" means nothing unless the person was asked', () => {
    expect(signOutStep(IDLE, { type: 'discard' })).toEqual(IDLE);
    expect(signOutStep(run([start(2)]), { type: 'discard' })).toEqual({ phase: 'flushing', pending: 2 });
  });
});

describe('[AU9] the end of the flow', () => {
  it('[AU9] done returns to idle; a failure is kept to be shown, and can be closed', () => {
    const going = run([start(0)]);
    expect(signOutStep(going, { type: 'done' })).toEqual(IDLE);
    const failed = signOutStep(going, { type: 'failed', message: 'No connection.' });
    expect(failed).toEqual({ phase: 'failed', message: 'No connection.' });
    expect(signOutStep(failed, { type: 'cancel' })).toEqual(IDLE);
  });

  it('[AU9] Cancel cannot stop a sign-out under way', () => {
    const going = run([start(0)]);
    expect(signOutStep(going, { type: 'cancel' })).toBe(going);
  });
});
