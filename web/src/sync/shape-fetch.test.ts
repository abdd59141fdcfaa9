// The HTTP/1.1 budget of shape requests (SY10), decided without a network.
import { describe, expect, it } from 'vitest';
import { budgetedShapeFetch, LIVE_CURSOR_HEADER, planShapeRequest } from './shape-fetch';

const policy = { maxLongPolls: 2, maxRequests: 4, pollIntervalMs: 2000 };

describe('shape request budget', () => {
  it('[SY10] catching-up requests always go out; only a few shapes hold long polls, the rest poll later', () => {
    expect(planShapeRequest(false, 2, policy)).toBe('fetch');
    expect(planShapeRequest(true, 0, policy)).toBe('long-poll');
    expect(planShapeRequest(true, 1, policy)).toBe('long-poll');
    expect(planShapeRequest(true, 2, policy)).toBe('poll-later');
  });

  it('[SY10] a tail poll in place of a live request answers as a live request must (with a cursor)', async () => {
    const asked: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The server's side: a live request is held until released; a tail poll answers at once, without a cursor.
    const server: typeof fetch = async (input) => {
      const url = new URL(input instanceof Request ? input.url : input);
      asked.push(url.searchParams.get('live') ?? 'tail');
      if (url.searchParams.get('live') === 'true') await held;
      return new Response('[]', { status: 200, headers: { 'electric-offset': '0_0' } });
    };
    const shapeFetch = budgetedShapeFetch(server, { maxLongPolls: 1, maxRequests: 4, pollIntervalMs: 0 });
    const live = shapeFetch('http://hearth.test/api/shapes/a?live=true&offset=0_0&cursor=7');
    const tail = await shapeFetch('http://hearth.test/api/shapes/b?live=true&offset=0_0&cursor=41');
    expect(asked).toEqual(['true', 'tail']);
    expect(tail.headers.get(LIVE_CURSOR_HEADER)).toBe('41');
    expect(tail.headers.get('electric-offset')).toBe('0_0');
    expect(await tail.text()).toBe('[]');
    release();
    expect((await live).headers.has(LIVE_CURSOR_HEADER)).toBe(false);
  });

  it('[SY15] no shape request is answered from the browser cache: catch-ups, long polls and tail polls', async () => {
    const modes: (RequestCache | undefined)[] = [];
    const server: typeof fetch = (_input, init) => {
      modes.push(init?.cache);
      return Promise.resolve(new Response('[]', { status: 200, headers: { 'electric-offset': '0_0' } }));
    };
    const shapeFetch = budgetedShapeFetch(server, { maxLongPolls: 1, maxRequests: 4, pollIntervalMs: 0 });
    await shapeFetch('http://hearth.test/api/shapes/a?offset=0_0', { cache: 'default' });
    await shapeFetch('http://hearth.test/api/shapes/a?live=true&offset=0_0&cursor=7');
    const held = shapeFetch('http://hearth.test/api/shapes/b?live=true&offset=0_0&cursor=7');
    await shapeFetch('http://hearth.test/api/shapes/c?live=true&offset=0_0&cursor=7');
    await held;
    expect(modes).toEqual(['no-store', 'no-store', 'no-store', 'no-store']);
  });
});
