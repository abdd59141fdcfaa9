// Rate limits on sign-in and sign-up (SPEC.md RL1–RL3), per client IP and per account (the email as
// typed, lower-cased: unknown emails are limited exactly like known ones). Counters live in this
// process's memory (rate-limiter-flexible's fixed windows): several instances each count on their own,
// and a restart forgets; put a store such as RateLimiterPostgres behind the same calls if that matters.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorCode } from '@hearth/schema/errors';
import { HttpError } from '../http/errors';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

export interface AuthRateLimits {
  /** Every sign-in attempt from one IP. */
  signinPerIp: RateLimitRule;
  /** Failed sign-ins for one email; a success clears the count. */
  signinFailuresPerAccount: RateLimitRule;
  /** Every sign-up attempt from one IP. */
  signupPerIp: RateLimitRule;
  /** Sign-up attempts for one email. */
  signupPerAccount: RateLimitRule;
}

/**
 * Per-IP limits leave room for a gathering where a whole hall signs in through one venue Wi-Fi (one
 * NAT address); the per-account limit is the one that stops guessing a password.
 */
export const DEFAULT_RATE_LIMITS: AuthRateLimits = {
  signinPerIp: { points: 100, durationSeconds: 5 * 60 },
  signinFailuresPerAccount: { points: 10, durationSeconds: 15 * 60 },
  signupPerIp: { points: 50, durationSeconds: 60 * 60 },
  signupPerAccount: { points: 5, durationSeconds: 60 * 60 },
};

export class RateLimitedError extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      ErrorCode.rateLimited,
      `Too many attempts. Wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and try again.`,
    );
  }
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

function limiter(prefix: string, rule: RateLimitRule): RateLimiterMemory {
  return new RateLimiterMemory({ keyPrefix: prefix, points: rule.points, duration: rule.durationSeconds });
}

export class AuthRateLimiter {
  private readonly signinIp: RateLimiterMemory;
  private readonly signinAccount: RateLimiterMemory;
  private readonly signupIp: RateLimiterMemory;
  private readonly signupAccount: RateLimiterMemory;

  constructor(readonly limits: AuthRateLimits = DEFAULT_RATE_LIMITS) {
    this.signinIp = limiter('signin-ip', limits.signinPerIp);
    this.signinAccount = limiter('signin-account', limits.signinFailuresPerAccount);
    this.signupIp = limiter('signup-ip', limits.signupPerIp);
    this.signupAccount = limiter('signup-account', limits.signupPerAccount);
  }

  /** Counts one attempt against `key`; throws RateLimitedError when the window is used up. */
  private static async consume(limiter: RateLimiterMemory, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(retryAfter(rejection));
      throw rejection;
    }
  }

  /** Before a sign-in is checked: counts it for the IP, and refuses an account with too many failures. */
  async beforeSignin(ip: string, account: string): Promise<void> {
    await AuthRateLimiter.consume(this.signinIp, ip);
    const failures = await this.signinAccount.get(account);
    if (failures !== null && failures.consumedPoints >= this.limits.signinFailuresPerAccount.points)
      throw new RateLimitedError(retryAfter(failures));
  }

  async signinFailed(account: string): Promise<void> {
    await this.signinAccount.penalty(account, 1);
  }

  async signinSucceeded(account: string): Promise<void> {
    await this.signinAccount.delete(account);
  }

  async beforeSignup(ip: string, account: string): Promise<void> {
    await AuthRateLimiter.consume(this.signupIp, ip);
    await AuthRateLimiter.consume(this.signupAccount, account);
  }
}
