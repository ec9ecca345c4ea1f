/**
 * How every ARM client here retries: throttling (429) with or without Retry-After, server
 * errors (5xx other than 501/505), timeouts and dropped connections, waiting what the
 * service asks (Retry-After in seconds or as a date, retry-after-ms) up to a cap, otherwise
 * exponentially with jitter. The SDK's default policy only honours Retry-After on 429/503 and
 * gives up on a 429 that has none.
 */
import { retryPolicy, type PipelinePolicy, type PipelineResponse, type RetryStrategy } from '@azure/core-rest-pipeline';

export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** First backoff step when the service gives no Retry-After (default 1 s). */
  baseDelayMs?: number;
  /** Longest backoff step (default 30 s). */
  maxDelayMs?: number;
  /** Longest Retry-After honoured; a longer one is cut to this (default 120 s). */
  maxRetryAfterMs?: number;
}

export const ARM_RETRY_POLICY = 'sqlmigArmRetryPolicy';

const TRANSIENT_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'REQUEST_SEND_ERROR']);

/** Milliseconds the service asked us to wait, from retry-after-ms, x-ms-retry-after-ms or Retry-After. */
export function retryAfterMs(headers: { get(name: string): string | undefined } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = headers.get(name);
    if (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v))) return Math.max(0, Number(v));
  }
  const v = headers.get('retry-after');
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

function isTransientError(e: { code?: string; name?: string } | undefined): boolean {
  if (!e) return false;
  if (e.name === 'AbortError') return false;
  return e.code !== undefined && TRANSIENT_ERROR_CODES.has(e.code);
}

export function armRetryStrategy(options: RetryOptions = {}): RetryStrategy {
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  const cap = options.maxRetryAfterMs ?? 120_000;
  return {
    name: 'sqlmigArmRetryStrategy',
    retry({ response, responseError, retryCount }) {
      const res: PipelineResponse | undefined = response ?? responseError?.response;
      const retriable = res ? isRetriableStatus(res.status) : isTransientError(responseError as { code?: string } | undefined);
      if (!retriable) return { skipStrategy: true };
      const asked = res ? retryAfterMs(res.headers) : undefined;
      if (asked !== undefined) return { retryAfterInMs: Math.min(asked, cap) };
      const step = Math.min(max, base * 2 ** retryCount);
      // Full jitter keeps many clients (300 databases) from retrying in lockstep.
      return { retryAfterInMs: Math.round(step / 2 + Math.random() * (step / 2)) };
    },
  };
}

export function armRetryPolicy(options: RetryOptions = {}): PipelinePolicy {
  const policy = retryPolicy([armRetryStrategy(options)], { maxRetries: options.maxRetries ?? 4 });
  return { name: ARM_RETRY_POLICY, sendRequest: policy.sendRequest };
}
