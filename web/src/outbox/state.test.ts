// The outbox's pure core, rule by rule (./SPEC.md). Time and jitter are inputs: nothing here waits.
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  cutBatch,
  DEFAULT_BACKOFF,
  dismiss,
  entryBytes,
  INITIAL_SENDER,
  nextStep,
  onReceipt,
  settleBatch,
  statusLabel,
  takeOver,
  wake,
  type EntryStatus,
  type OutboxEntry,
  type SenderState,
} from './state';

const NOW = 1_900_000_000_000;
const online = { now: NOW, online: true, signedIn: true, pending: 1 };

function entry(seq: number, status: EntryStatus = 'pending', args: unknown = { displayName: `n${seq}` }) {
  const id = `0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`;
  return { id, seq, name: 'updateProfile', args, status } satisfies OutboxEntry;
}

describe('sending: batches', () => {
  it('[OB4] entries go in the order they were made, whatever order they are listed in', () => {
    const batch = cutBatch([entry(3), entry(1), entry(2)]);
    expect(batch.send.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(batch.reject).toEqual([]);
  });

  it('[OB4] a batch holds at most 100 mutations (the server limit)', () => {
    const many = Array.from({ length: 250 }, (_, i) => entry(i + 1));
    const batch = cutBatch(many);
    expect(batch.send).toHaveLength(100);
    expect(batch.send.at(-1)?.seq).toBe(100);
  });

  it('[OB4] a batch stays under the body size limit, cutting before the entry that would pass it', () => {
    const big = (seq: number) => entry(seq, 'pending', { bio: 'x'.repeat(400) });
    const one = entryBytes(big(1));
    const limits = { maxBatch: 100, maxBodyBytes: 16 + one * 2 + 1 };
    expect(cutBatch([big(1), big(2), big(3)], limits).send.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('[OB4] an entry too large to send on its own is rejected locally with payload_too_large', () => {
    const limits = { maxBatch: 100, maxBodyBytes: 200 };
    const huge = entry(1, 'pending', { bio: 'x'.repeat(500) });
    const batch = cutBatch([huge, entry(2)], limits);
    expect(batch.reject).toEqual([
      expect.objectContaining({ id: huge.id, to: 'rejected', code: 'payload_too_large' }),
    ]);
    expect(batch.send.map((e) => e.seq)).toEqual([2]);
  });

  it('[OB4] a too-large entry behind others waits its turn: the batch stops before it', () => {
    const limits = { maxBatch: 100, maxBodyBytes: 200 };
    const batch = cutBatch([entry(1), entry(2, 'pending', { bio: 'x'.repeat(500) })], limits);
    expect(batch.send.map((e) => e.seq)).toEqual([1]);
    expect(batch.reject).toEqual([]);
  });

  it('[OB4] only pending entries are cut into a batch', () => {
    const batch = cutBatch([entry(1, 'sending'), entry(2, 'accepted'), entry(3, 'rejected'), entry(4)]);
    expect(batch.send.map((e) => e.seq)).toEqual([4]);
  });
});

describe('sending: outcomes', () => {
  const sent = [entry(1), entry(2), entry(3)];

  it('[OB5] accepted entries wait as accepted (their overlay stays); the sender goes idle', () => {
    const result = settleBatch(
      sent,
      { kind: 'outcomes', outcomes: sent.map((e) => ({ id: e.id, status: 'accepted' as const })) },
      { phase: 'sending', failures: 3, retryAt: null },
      NOW,
      0.5,
    );
    expect(result.decisions).toEqual(sent.map((e) => ({ id: e.id, to: 'accepted' })));
    expect(result.sender).toEqual(INITIAL_SENDER);
  });

  it('[OB6] a rejected outcome rejects that entry with its typed code and message; the others go on', () => {
    const [a, b, c] = sent as [OutboxEntry, OutboxEntry, OutboxEntry];
    const result = settleBatch(
      sent,
      {
        kind: 'outcomes',
        outcomes: [
          { id: a.id, status: 'accepted' },
          { id: b.id, status: 'rejected', code: 'last_admin', message: 'You are the last admin.' },
          { id: c.id, status: 'accepted' },
        ],
      },
      INITIAL_SENDER,
      NOW,
      0.5,
    );
    expect(result.decisions).toEqual([
      { id: a.id, to: 'accepted' },
      { id: b.id, to: 'rejected', code: 'last_admin', message: 'You are the last admin.' },
      { id: c.id, to: 'accepted' },
    ]);
    expect(result.sender.phase).toBe('idle');
  });

  it('[OB7] a retry outcome puts it and the rest back to pending, and the sender backs off', () => {
    const [a, b, c] = sent as [OutboxEntry, OutboxEntry, OutboxEntry];
    const result = settleBatch(
      sent,
      {
        kind: 'outcomes',
        outcomes: [
          { id: a.id, status: 'accepted' },
          { id: b.id, status: 'retry', code: 'internal_error', message: 'later' },
          { id: c.id, status: 'retry', code: 'internal_error', message: 'later' },
        ],
      },
      INITIAL_SENDER,
      NOW,
      1,
    );
    expect(result.decisions.map((d) => d.to)).toEqual(['accepted', 'pending', 'pending']);
    expect(result.sender).toEqual({ phase: 'backoff', failures: 1, retryAt: NOW + DEFAULT_BACKOFF.baseMs });
  });

  it('[OB7] an entry the server gave no outcome for is sent again, after a backoff', () => {
    const result = settleBatch(sent, { kind: 'outcomes', outcomes: [] }, INITIAL_SENDER, NOW, 0);
    expect(result.decisions.every((d) => d.to === 'pending')).toBe(true);
    expect(result.sender.phase).toBe('backoff');
  });

  it('[OB7] a network failure puts every sent entry back to pending with the reason, and backs off', () => {
    const result = settleBatch(sent, { kind: 'network', message: 'Failed to fetch' }, INITIAL_SENDER, NOW, 0);
    expect(result.decisions).toEqual(
      sent.map((e) => ({
        id: e.id,
        to: 'pending',
        code: 'unavailable',
        message: 'Could not reach the server: Failed to fetch',
      })),
    );
    expect(result.sender).toEqual({ phase: 'backoff', failures: 1, retryAt: NOW + 500 });
  });

  it.each([500, 502, 503, 429])('[OB7] HTTP %i is retried with backoff, never rejected', (status) => {
    const result = settleBatch(
      sent,
      { kind: 'refused', status, code: 'unavailable', message: 'busy' },
      { phase: 'sending', failures: 2, retryAt: null },
      NOW,
      0,
    );
    expect(result.decisions.map((d) => d.to)).toEqual(['pending', 'pending', 'pending']);
    expect(result.sender).toMatchObject({ phase: 'backoff', failures: 3 });
  });

  it('[OB7] the backoff doubles per failure up to the cap, and jitter scales it within [1/2, 1]', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(7, 1)).toBe(60_000);
    expect(backoffDelay(50, 1)).toBe(60_000);
    expect(backoffDelay(3, 0)).toBe(2_000);
    expect(backoffDelay(3, 0.5)).toBe(3_000);
    expect(backoffDelay(3, 7)).toBe(4_000);
  });

  it('[OB7] a batch answered without any retry resets the failures', () => {
    const result = settleBatch(
      [entry(1)],
      { kind: 'outcomes', outcomes: [{ id: entry(1).id, status: 'accepted' }] },
      { phase: 'sending', failures: 6, retryAt: null },
      NOW,
      0,
    );
    expect(result.sender.failures).toBe(0);
  });

  it('[OB8] a 400 naming one mutation rejects it; the others go back to pending with no backoff', () => {
    const [a, b, c] = sent as [OutboxEntry, OutboxEntry, OutboxEntry];
    const result = settleBatch(
      sent,
      {
        kind: 'refused',
        status: 400,
        code: 'validation_failed',
        message: 'mutations[1].args.displayName: too long',
        mutationId: b.id,
      },
      INITIAL_SENDER,
      NOW,
      0,
    );
    expect(result.decisions).toEqual([
      expect.objectContaining({ id: a.id, to: 'pending' }),
      {
        id: b.id,
        to: 'rejected',
        code: 'validation_failed',
        message: 'mutations[1].args.displayName: too long',
      },
      expect.objectContaining({ id: c.id, to: 'pending' }),
    ]);
    expect(result.sender).toEqual(INITIAL_SENDER);
  });

  it.each([
    [400, undefined],
    [400, '0190a000-0000-7000-8000-999999999999'],
    [403, undefined],
    [413, undefined],
  ])(
    '[OB8] a refusal (HTTP %i) that names no sent mutation rejects nothing and backs off',
    (status, named) => {
      const result = settleBatch(
        sent,
        {
          kind: 'refused',
          status,
          code: 'bad_request',
          message: 'no',
          ...(named === undefined ? {} : { mutationId: named }),
        },
        INITIAL_SENDER,
        NOW,
        0,
      );
      expect(result.decisions.map((d) => d.to)).toEqual(['pending', 'pending', 'pending']);
      expect(result.sender.phase).toBe('backoff');
    },
  );

  it('[OB9] a 401 keeps every entry pending and puts the sender in signed-out', () => {
    const result = settleBatch(
      sent,
      { kind: 'refused', status: 401, code: 'unauthenticated', message: 'Sign in' },
      INITIAL_SENDER,
      NOW,
      0,
    );
    expect(result.decisions.map((d) => d.to)).toEqual(['pending', 'pending', 'pending']);
    expect(result.sender.phase).toBe('signed-out');
  });
});

describe('the sender', () => {
  it('[OB4] online, signed in, with pending entries: it sends', () => {
    expect(nextStep(INITIAL_SENDER, online)).toEqual({
      state: { phase: 'sending', failures: 0, retryAt: null },
      step: { do: 'send' },
    });
  });

  it('[OB10] with nothing pending it is idle and waits for an event, with no timer', () => {
    expect(nextStep(INITIAL_SENDER, { ...online, pending: 0 })).toEqual({
      state: INITIAL_SENDER,
      step: { do: 'wait', until: null },
    });
  });

  it('[OB10] offline it sends nothing and waits for the network, whatever is pending', () => {
    const { state, step } = nextStep(INITIAL_SENDER, { ...online, online: false, pending: 5 });
    expect(state.phase).toBe('offline');
    expect(step).toEqual({ do: 'wait', until: null });
  });

  it('[OB7] during a backoff it waits until the retry time, then sends', () => {
    const backingOff: SenderState = { phase: 'backoff', failures: 2, retryAt: NOW + 2_000 };
    expect(nextStep(backingOff, online)).toEqual({
      state: backingOff,
      step: { do: 'wait', until: NOW + 2_000 },
    });
    expect(nextStep(backingOff, { ...online, now: NOW + 2_000 }).step).toEqual({ do: 'send' });
  });

  it('[OB10] going online ends a backoff at once', () => {
    const backingOff: SenderState = { phase: 'offline', failures: 4, retryAt: NOW + 30_000 };
    const woken = wake(backingOff, { type: 'online' });
    expect(woken.retryAt).toBeNull();
    expect(nextStep(woken, online).step).toEqual({ do: 'send' });
  });

  it('[OB10] going offline while idle makes it offline', () => {
    expect(wake(INITIAL_SENDER, { type: 'offline' }).phase).toBe('offline');
  });

  it('[OB10] new entries and timers change nothing but the facts it decides on', () => {
    const state: SenderState = { phase: 'backoff', failures: 1, retryAt: NOW + 1 };
    expect(wake(state, { type: 'poke' })).toBe(state);
  });

  it('[OB9] signed out, it waits, even with entries pending, until a sign-in wakes it', () => {
    const signedOut: SenderState = { phase: 'signed-out', failures: 0, retryAt: null };
    expect(nextStep(signedOut, online).step).toEqual({ do: 'wait', until: null });
    expect(nextStep(INITIAL_SENDER, { ...online, signedIn: false }).state.phase).toBe('signed-out');
    expect(wake(signedOut, { type: 'online' }).phase).toBe('signed-out');
    expect(nextStep(wake(signedOut, { type: 'signed-in' }), online).step).toEqual({ do: 'send' });
  });
});

describe('taking over and settling', () => {
  it('[OB11] a sender taking over sends again what was in flight, and only that', () => {
    expect(takeOver(entry(1, 'sending'))).toMatchObject({ to: 'pending', code: 'unavailable' });
    for (const status of ['pending', 'accepted', 'rejected'] as const)
      expect(takeOver(entry(1, status))).toBeNull();
  });

  it('[OB13] an accepted receipt settles its entry, whatever state the entry was in', () => {
    for (const status of ['pending', 'sending', 'accepted'] as const)
      expect(
        onReceipt(entry(1, status), { status: 'accepted', error_code: null, error_message: null }),
      ).toEqual({
        id: entry(1).id,
        to: 'settled',
      });
  });

  it('[OB13] a rejected receipt rejects its entry with the stored code and message', () => {
    expect(
      onReceipt(entry(1, 'sending'), {
        status: 'rejected',
        error_code: 'slug_taken',
        error_message: 'That address is taken.',
      }),
    ).toEqual({ id: entry(1).id, to: 'rejected', code: 'slug_taken', message: 'That address is taken.' });
  });

  it('[OB13] a receipt changes nothing for an entry already rejected (the user has yet to read why)', () => {
    expect(
      onReceipt(entry(1, 'rejected'), { status: 'accepted', error_code: null, error_message: null }),
    ).toBeNull();
  });

  it('[OB6] only a rejected entry can be dismissed', () => {
    expect(dismiss(entry(1, 'rejected'))).toEqual({ id: entry(1).id, to: 'settled' });
    for (const status of ['pending', 'sending', 'accepted'] as const)
      expect(dismiss(entry(1, status))).toBeNull();
  });
});

describe('what the UI shows', () => {
  it('[OB14] offline first, then rejected, then N pending, then synced', () => {
    expect(statusLabel({ online: false, pending: 2, rejected: 1 })).toEqual({ kind: 'offline', pending: 2 });
    expect(statusLabel({ online: true, pending: 2, rejected: 1 })).toEqual({
      kind: 'rejected',
      rejected: 1,
      pending: 2,
    });
    expect(statusLabel({ online: true, pending: 2, rejected: 0 })).toEqual({ kind: 'pending', pending: 2 });
    expect(statusLabel({ online: true, pending: 0, rejected: 0 })).toEqual({ kind: 'synced' });
  });
});
