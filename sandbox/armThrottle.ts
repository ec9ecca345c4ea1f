/**
 * Azure Resource Manager's read throttling, for the sandbox: a token bucket per subscription
 * and principal that holds 250 reads and refills 25 per second (on the sandbox clock), as ARM
 * has done since 2024. Every read under a subscription (GET, HEAD) takes a token and its answer
 * says what is left in `x-ms-ratelimit-remaining-subscription-reads`; an empty bucket answers
 * 429 TooManyRequests with Retry-After (whole seconds, rounded up) instead of running the
 * request. Writes and deletes are not limited here (ARM's own buckets for them are larger per
 * use and the product spends few).
 *
 * Standalone on purpose: it knows requests only by method, path and Authorization header, so
 * the ARM emulator's server (sandbox/arm/server.ts) wires it in front of its routes, and a test
 * or a bench can put it in front of anything else.
 */
import { createHash } from 'node:crypto';

export const READS_HEADER = 'x-ms-ratelimit-remaining-subscription-reads';

export interface ArmThrottleOptions {
  /** Reads a bucket holds (ARM: 250). */
  capacity?: number;
  /** Reads added back per second of the clock (ARM: 25). */
  refillPerSecond?: number;
  /** Milliseconds since the epoch on the sandbox's clock (a simulated clock runs faster). */
  now?: () => number;
}

export interface ThrottleRequest {
  method: string;
  /** The URL path (no query): `/subscriptions/{id}/...`. */
  path: string;
  /** The Authorization header as sent: the principal is whoever holds the token. */
  authorization?: string;
}

export type ThrottleVerdict =
  /** Not a read under a subscription: not counted, no header. */
  | { kind: 'notCounted' }
  /** Counted: run it and add `headers` to its answer (whatever its status). */
  | { kind: 'allowed'; headers: Record<string, string> }
  /** Throttled: answer 429 with this error and these headers; the request must not run. */
  | { kind: 'throttled'; status: 429; code: 'TooManyRequests'; message: string; headers: Record<string, string> };

interface Bucket {
  tokens: number;
  at: number;
}

const SUBSCRIPTION = /^\/subscriptions\/([^/]+)\/./i;

/** A stable name for a principal that never keeps the token itself. */
export function principalOf(authorization: string | undefined): string {
  const token = (authorization ?? '').replace(/^Bearer\s+/i, '').trim();
  return token ? createHash('sha256').update(token).digest('hex').slice(0, 16) : 'anonymous';
}

export class ArmReadThrottle {
  readonly capacity: number;
  readonly refillPerSecond: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  /** Reads counted and reads refused, for tests and benches. */
  readonly stats = { allowed: 0, throttled: 0 };

  constructor(options: ArmThrottleOptions = {}) {
    this.capacity = options.capacity ?? 250;
    this.refillPerSecond = options.refillPerSecond ?? 25;
    this.now = options.now ?? Date.now;
    if (!(this.capacity >= 1) || !(this.refillPerSecond > 0)) throw new Error('a read throttle needs a capacity of at least 1 and a positive refill rate');
  }

  /** Takes a token for a read (or refuses it). Call once per request, before running it. */
  admit(req: ThrottleRequest): ThrottleVerdict {
    const method = req.method.toUpperCase();
    const sub = SUBSCRIPTION.exec(req.path)?.[1];
    if ((method !== 'GET' && method !== 'HEAD') || !sub) return { kind: 'notCounted' };
    const key = `${sub.toLowerCase()}|${principalOf(req.authorization)}`;
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + (Math.max(0, now - b.at) / 1000) * this.refillPerSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.stats.allowed++;
      return { kind: 'allowed', headers: { [READS_HEADER]: String(Math.floor(b.tokens)) } };
    }
    this.stats.throttled++;
    // Whole seconds until one token is back, on the clock the bucket refills on.
    const seconds = Math.max(1, Math.ceil((1 - b.tokens) / this.refillPerSecond));
    return {
      kind: 'throttled',
      status: 429,
      code: 'TooManyRequests',
      message: `Number of 'read' requests for subscription '${sub}' actor '${principalOf(req.authorization)}' exceeded. Please try again after '${seconds}' seconds after additional tokens are available.`,
      headers: { [READS_HEADER]: '0', 'retry-after': String(seconds) },
    };
  }

  /** What a bucket holds now (full when it was never used). */
  remaining(subscriptionId: string, authorization?: string): number {
    const b = this.buckets.get(`${subscriptionId.toLowerCase()}|${principalOf(authorization)}`);
    if (!b) return this.capacity;
    return Math.floor(Math.min(this.capacity, b.tokens + (Math.max(0, this.now() - b.at) / 1000) * this.refillPerSecond));
  }

  /** Empties every bucket's memory (a test's fresh start). */
  reset(): void {
    this.buckets.clear();
    this.stats.allowed = 0;
    this.stats.throttled = 0;
  }
}
