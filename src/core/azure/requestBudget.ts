/**
 * Azure Resource Manager's request limits, as a budget this client keeps. Since 2024 ARM
 * throttles each subscription and principal (per region) with token buckets: reads 250 that
 * refill 25 per second, writes and deletes 200 that refill 10 per second. Every answer says
 * what is left (`x-ms-ratelimit-remaining-subscription-reads`, `-writes`, `-deletes`); an empty
 * bucket answers 429 with Retry-After. The bucket is shared with every other tool the user runs
 * against the subscription, so a poll that reads every migration one by one throttles them all.
 *
 * The budget keeps an estimate of each bucket (the last header, plus the refill since, minus
 * what we sent since) and:
 *  - slows down before the service throttles: a request waits while sending it would leave
 *    less than the reserve (a fifth of the bucket by default) for everybody else;
 *  - backs off when it does: after a 429 nothing of that kind goes to that subscription
 *    until the Retry-After has passed, then one request probes and its answer sets the pace;
 *  - tells a periodic poll how much it may spend per refresh (`refreshAllowance`), so polling
 *    stays a small share of the refill rate whatever the number of migrations.
 *
 * `requestBudgetPolicy` puts it in an Azure SDK pipeline (every attempt, retries included).
 * No Azure SDK at run time: only its types.
 */
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { sleep } from '../sleep';

export type RequestKind = 'reads' | 'writes' | 'deletes';

export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

/** ARM's buckets per subscription and principal (learn.microsoft.com, "Understand how Azure Resource Manager throttles requests"). */
export const ARM_LIMITS: Readonly<Record<RequestKind, BucketLimits>> = {
  reads: { capacity: 250, refillPerSecond: 25 },
  writes: { capacity: 200, refillPerSecond: 10 },
  deletes: { capacity: 200, refillPerSecond: 10 },
};

export const REMAINING_HEADER: Readonly<Record<RequestKind, string>> = {
  reads: 'x-ms-ratelimit-remaining-subscription-reads',
  writes: 'x-ms-ratelimit-remaining-subscription-writes',
  deletes: 'x-ms-ratelimit-remaining-subscription-deletes',
};

export const REQUEST_BUDGET_POLICY = 'sqlmigRequestBudgetPolicy';

export interface RequestBudgetOptions {
  limits?: Partial<Record<RequestKind, BucketLimits>>;
  /** The part of each bucket left for every other tool: requests wait rather than go below it (default 0.2). */
  reserveFraction?: number;
  /** The part of the read refill rate a periodic poll may use (default 0.5). */
  pollShare?: number;
  /** The most of the read bucket one refresh may spend at once (default 0.4). */
  burstFraction?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface BudgetStats {
  sent: Record<RequestKind, number>;
  /** Answers that were 429. */
  throttled: number;
  /** Time requests waited for the bucket to refill (summed over requests). */
  waitedMs: number;
}

interface Bucket {
  /** Estimated tokens at `at`. */
  level: number;
  at: number;
  /** No request of this kind before this time (a 429's Retry-After). */
  blockedUntil: number;
}

const SUBSCRIPTION = /\/subscriptions\/([0-9a-f-]{36}|[^/?#]+)\//i;

/** The subscription a request URL is under, or undefined (tenant-level calls have their own limits). */
export function subscriptionOfUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  return SUBSCRIPTION.exec(path)?.[1]?.toLowerCase();
}

/** How ARM counts a request: GET and HEAD read, DELETE deletes, everything else writes. */
export function requestKind(method: string): RequestKind {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'reads' : m === 'DELETE' ? 'deletes' : 'writes';
}

export class RequestBudget {
  readonly stats: BudgetStats = { sent: { reads: 0, writes: 0, deletes: 0 }, throttled: 0, waitedMs: 0 };
  private readonly buckets = new Map<string, Bucket>();
  private readonly limits: Record<RequestKind, BucketLimits>;
  private readonly reserveFraction: number;
  private readonly pollShare: number;
  private readonly burstFraction: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RequestBudgetOptions = {}) {
    this.limits = { ...ARM_LIMITS, ...options.limits };
    this.reserveFraction = options.reserveFraction ?? 0.2;
    this.pollShare = options.pollShare ?? 0.5;
    this.burstFraction = options.burstFraction ?? 0.4;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
  }

  /** What the service's bucket holds now, as far as we can tell (a bucket never heard of is full). */
  remaining(subscriptionId: string, kind: RequestKind = 'reads'): number {
    const b = this.bucket(subscriptionId, kind);
    const { capacity, refillPerSecond } = this.limits[kind];
    return Math.min(capacity, b.level + ((this.now() - b.at) / 1000) * refillPerSecond);
  }

  /** Requests of the kind we may send now and still leave the reserve (0 while throttled). */
  spendable(subscriptionId: string, kind: RequestKind = 'reads'): number {
    if (this.bucket(subscriptionId, kind).blockedUntil > this.now()) return 0;
    return Math.max(0, Math.floor(this.remaining(subscriptionId, kind) - this.reserve(kind)));
  }

  /**
   * How many reads one refresh of a poll that runs every `intervalMs` may spend on details: a
   * share of what refills in an interval, never more than a part of the bucket at once, and
   * never below the reserve.
   */
  refreshAllowance(subscriptionId: string, intervalMs: number): number {
    const { capacity, refillPerSecond } = this.limits.reads;
    const sustained = Math.floor(this.pollShare * refillPerSecond * Math.max(1000, intervalMs) / 1000);
    return Math.max(0, Math.min(this.spendable(subscriptionId, 'reads'), sustained, Math.floor(this.burstFraction * capacity)));
  }

  /** Waits until a request of the kind fits above the reserve, then counts it as sent. */
  async acquire(subscriptionId: string, kind: RequestKind, signal?: AbortSignal): Promise<void> {
    const started = this.now();
    for (;;) {
      if (signal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
      const b = this.bucket(subscriptionId, kind);
      const now = this.now();
      let waitMs = b.blockedUntil - now;
      if (waitMs <= 0) {
        const left = this.remaining(subscriptionId, kind);
        const need = this.reserve(kind) + 1 - left;
        if (need <= 0) {
          b.level = left - 1;
          b.at = now;
          this.stats.sent[kind]++;
          this.stats.waitedMs += now - started;
          return;
        }
        waitMs = Math.ceil((need / this.limits[kind].refillPerSecond) * 1000);
      }
      await this.sleep(Math.max(1, waitMs), signal);
    }
  }

  /** What an answer said is left: the service's count replaces our estimate. */
  observe(subscriptionId: string, kind: RequestKind, remaining: number): void {
    if (!Number.isFinite(remaining) || remaining < 0) return;
    const b = this.bucket(subscriptionId, kind);
    b.level = Math.min(this.limits[kind].capacity, remaining);
    b.at = this.now();
  }

  /**
   * A 429: nothing of the kind goes to the subscription until `retryAfterMs` has passed; then one
   * request goes, and what its answer says is left decides the pace again.
   */
  throttled(subscriptionId: string, kind: RequestKind, retryAfterMs: number | undefined): void {
    this.stats.throttled++;
    const b = this.bucket(subscriptionId, kind);
    const now = this.now();
    // Without a Retry-After: the time one read takes to come back.
    const wait = retryAfterMs ?? Math.ceil(1000 / this.limits[kind].refillPerSecond);
    b.blockedUntil = Math.max(b.blockedUntil, now + wait);
    b.level = this.reserve(kind) + 1;
    b.at = b.blockedUntil;
  }

  private reserve(kind: RequestKind): number {
    return Math.ceil(this.reserveFraction * this.limits[kind].capacity);
  }

  private bucket(subscriptionId: string, kind: RequestKind): Bucket {
    const key = `${subscriptionId.toLowerCase()}|${kind}`;
    let b = this.buckets.get(key);
    if (!b) {
      b = { level: this.limits[kind].capacity, at: this.now(), blockedUntil: 0 };
      this.buckets.set(key, b);
    }
    return b;
  }
}

function retryAfterOf(response: PipelineResponse): number | undefined {
  const ms = response.headers.get('retry-after-ms') ?? response.headers.get('x-ms-retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Number(ms);
  const s = response.headers.get('retry-after');
  if (s === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(s.trim())) return Number(s) * 1000;
  const date = Date.parse(s);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * Every ARM request of a pipeline goes through the budget: it waits for room in its bucket,
 * and its answer updates the estimate (the remaining header) or blocks the kind (a 429). Added
 * after the retry policy, so each retry waits its turn too.
 */
export function requestBudgetPolicy(budget: RequestBudget): PipelinePolicy {
  return {
    name: REQUEST_BUDGET_POLICY,
    async sendRequest(request: PipelineRequest, next) {
      const subscription = subscriptionOfUrl(request.url);
      if (!subscription) return next(request);
      const kind = requestKind(request.method);
      await budget.acquire(subscription, kind, request.abortSignal as AbortSignal | undefined);
      const response = await next(request);
      const left = response.headers.get(REMAINING_HEADER[kind]);
      if (left !== undefined && left.trim() !== '') budget.observe(subscription, kind, Number(left));
      if (response.status === 429) budget.throttled(subscription, kind, retryAfterOf(response));
      return response;
    },
  };
}
