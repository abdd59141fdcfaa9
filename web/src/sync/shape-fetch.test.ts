// The HTTP/1.1 budget of shape requests (SY10), decided without a network.
import { describe, expect, it } from 'vitest';
import { planShapeRequest } from './shape-fetch';

const policy = { maxLongPolls: 2, maxRequests: 4, pollIntervalMs: 2000 };

describe('shape request budget', () => {
  it('[SY10] catching-up requests always go out; only a few shapes hold long polls, the rest poll later', () => {
    expect(planShapeRequest(false, 2, policy)).toBe('fetch');
    expect(planShapeRequest(true, 0, policy)).toBe('long-poll');
    expect(planShapeRequest(true, 1, policy)).toBe('long-poll');
    expect(planShapeRequest(true, 2, policy)).toBe('poll-later');
  });
});
