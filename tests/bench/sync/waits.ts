// Waits of a bench child process on its own progress (every client delivered, every receipt arrived):
// checked at each `settle()` the process calls when something happened, never on a timer, and failed
// at once when the process reports a failure. None is open-ended.

/** Past this a wait fails, saying what never came. */
const WAIT_LIMIT_MS = 120_000;

export class Waits {
  private checks: (() => boolean)[] = [];

  /** `failure()`: what went wrong in this process, if anything: every wait rejects with it. */
  constructor(private readonly failure: () => string | undefined) {}

  /** Something happened: every wait checks again. */
  settle(): void {
    this.checks = this.checks.filter((check) => !check());
  }

  /** Resolves with `ready()` once it is defined. */
  until<T>(ready: () => T | undefined, missing: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.checks = this.checks.filter((c) => c !== check);
        reject(new Error(`${missing()} after ${WAIT_LIMIT_MS / 1000} s`));
      }, WAIT_LIMIT_MS);
      const check = (): boolean => {
        const failed = this.failure();
        if (failed !== undefined) {
          clearTimeout(timer);
          reject(new Error(failed));
          return true;
        }
        const value = ready();
        if (value === undefined) return false;
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      if (!check()) this.checks.push(check);
    });
  }
}
