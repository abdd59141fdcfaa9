// CO14, the pure decision per outgoing frame.
import { describe, expect, it } from 'vitest';
import { sendDecision } from './backpressure';

const limits = { slowClientBytes: 100, tooSlowBytes: 400 };

describe('[CO14] backpressure', () => {
  it('[CO14] below the soft limit everything is sent', () => {
    expect(sendDecision(0, 50, 'presence', limits)).toBe('send');
    expect(sendDecision(100, 50, 'document', limits)).toBe('send');
  });

  it('[CO14] past the soft limit presence is skipped, document frames still go', () => {
    expect(sendDecision(101, 10, 'presence', limits)).toBe('skip');
    expect(sendDecision(101, 10, 'document', limits)).toBe('send');
  });

  it('[CO14] a frame that would take the buffer past the hard limit closes the socket', () => {
    expect(sendDecision(390, 11, 'document', limits)).toBe('close');
    expect(sendDecision(390, 11, 'presence', limits)).toBe('close');
  });

  it("[CO14] a socket holding nothing takes any frame, however large (a big draft's first sync)", () => {
    expect(sendDecision(0, 10_000, 'document', limits)).toBe('send');
  });
});
