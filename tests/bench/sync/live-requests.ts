// Counts the live (`live=true`) shape requests a bench server holds, from its raw HTTP server, so the
// bench waits until its clients are held instead of sleeping. Shared by the Hearth bench server and
// the bare floor server, which must count the same way for their figures to compare.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** No wait is open-ended: past this it fails, saying how many requests were in flight. */
const WAIT_LIMIT_MS = 120_000;

export interface LiveBounds {
  readonly atLeast?: number;
  readonly atMost?: number;
}

export class LiveRequests {
  private held = 0;
  private waiters: (LiveBounds & { resolve: () => void })[] = [];

  get count(): number {
    return this.held;
  }

  /** A 'request' listener: counts the request while its response is open. */
  readonly track = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '';
    if (!url.startsWith('/v1/shape?') || !/[?&]live=true(&|$)/.test(url)) return;
    this.held++;
    this.settle();
    response.once('close', () => {
      this.held--;
      this.settle();
    });
  };

  /** Resolves with the count once it is within the bounds. */
  until(bounds: LiveBounds): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        ...bounds,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.held);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `${this.held} live requests in flight after ${WAIT_LIMIT_MS / 1000} s, wanted ${JSON.stringify(bounds)}`,
          ),
        );
      }, WAIT_LIMIT_MS);
      this.waiters.push(waiter);
      this.settle();
    });
  }

  private settle(): void {
    this.waiters = this.waiters.filter((w) => {
      const met =
        (w.atLeast === undefined || this.held >= w.atLeast) &&
        (w.atMost === undefined || this.held <= w.atMost);
      if (met) w.resolve();
      return !met;
    });
  }
}
