// [SY10] Keeps the shape requests of one replica within the browser's HTTP/1.1 budget (about six
// connections per origin, shared with mutations and sign-in): a few shapes hold live long polls, the
// others poll their tail now and then, and no more than `maxRequests` shape requests run at once.
// Over HTTP/2 the budget is not needed; see the pglite issue "Browser 6 concurrent connections limit".

export interface ShapeFetchPolicy {
  /** Live long polls held at once; the server holds each for up to its long-poll timeout. */
  readonly maxLongPolls: number;
  /** Shape requests in flight at once, long polls included. */
  readonly maxRequests: number;
  /** How long a shape that gets no long-poll slot waits before asking for its tail again. */
  readonly pollIntervalMs: number;
}

export const SHAPE_FETCH_POLICY: ShapeFetchPolicy = {
  maxLongPolls: 2,
  maxRequests: 4,
  pollIntervalMs: 2_000,
};

/** [SY10] What to do with a shape request, given the long polls already held. */
export function planShapeRequest(
  live: boolean,
  longPollsHeld: number,
  policy: ShapeFetchPolicy,
): 'fetch' | 'long-poll' | 'poll-later' {
  if (!live) return 'fetch';
  return longPollsHeld < policy.maxLongPolls ? 'long-poll' : 'poll-later';
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The shape request was aborted.', 'AbortError');
}

function wait(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The header a live answer carries (Electric's cache buster) and the shape client requires of one. */
export const LIVE_CURSOR_HEADER = 'electric-cursor';

/**
 * A tail poll answers a request the shape client made as live, and the client rejects a live answer
 * without `electric-cursor` (MissingHeadersError, which stops the stream). The server sends it only
 * on live answers, so the poll's answer carries the cursor the client sent (the next live request
 * sends it back; "0" when it had none).
 */
function asLiveAnswer(response: Response, url: URL): Response {
  if (!response.ok || response.headers.has(LIVE_CURSOR_HEADER)) return response;
  const headers = new Headers(response.headers);
  headers.set(LIVE_CURSOR_HEADER, url.searchParams.get('cursor') || '0');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** A `fetch` for the shape streams of one replica (ShapeStreamOptions.fetchClient). */
export function budgetedShapeFetch(
  fetchImpl: typeof fetch,
  policy: ShapeFetchPolicy = SHAPE_FETCH_POLICY,
): typeof fetch {
  let inFlight = 0;
  let longPolls = 0;
  const waiting: (() => void)[] = [];

  function release(): void {
    inFlight -= 1;
    waiting.shift()?.();
  }

  async function acquire(signal: AbortSignal | null | undefined): Promise<void> {
    while (inFlight >= policy.maxRequests) {
      await new Promise<void>((resolve) => waiting.push(resolve));
      if (signal?.aborted) {
        waiting.shift()?.(); // pass the free slot on
        throw abortReason(signal);
      }
    }
    inFlight += 1;
  }

  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const plan = planShapeRequest(url.searchParams.get('live') === 'true', longPolls, policy);
    let request: RequestInfo | URL = input;
    // [SY15] Never from the browser's HTTP cache: the replica is this client's cache, and a cached
    // catch-up answer (the server allows `private, max-age=60`) carries an old up-to-date LSN, which
    // holds back every commit of the replica until it expires.
    const options: RequestInit = { ...init, cache: 'no-store' };
    if (plan === 'poll-later') {
      // The tail without waiting on the server: answered at once.
      await wait(policy.pollIntervalMs, signal);
      url.searchParams.delete('live');
      request = url;
    }
    if (plan === 'long-poll') longPolls += 1;
    try {
      await acquire(signal);
      try {
        const response = await fetchImpl(request, options);
        return plan === 'poll-later' ? asLiveAnswer(response, url) : response;
      } finally {
        release();
      }
    } finally {
      if (plan === 'long-poll') longPolls -= 1;
    }
  };
}
