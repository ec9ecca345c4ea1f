/**
 * How every ARM client here retries, waiting what the service asks (Retry-After in seconds or
 * as a date, retry-after-ms) up to a cap, otherwise exponentially with jitter. The SDK's
 * default policy only honours Retry-After on 429/503 and gives up on a 429 that has none.
 *
 * Reads (GET, and POST actions named list*) are retried on throttling (429), server errors
 * (5xx other than 501/505), timeouts and dropped connections. A request that changes
 * something (PUT, PATCH, DELETE, other POST actions) is retried only when it certainly was
 * not acted on: a 429 (the service says it did not process it) or a connection that never
 * opened. After a 5xx, a timeout or a connection dropped once the request was sent it may
 * have worked: sending it again would meet "already in progress" and make a success look
 * like a failure, so the caller reads the resource instead (see armRest.ts, which DmsClient and the Log Replay Service client share).
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

const TRANSIENT_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'REQUEST_SEND_ERROR']);
/** Failures before a byte was sent (no connection, no address): the service never saw the request. */
const NOT_SENT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

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

function isNotSentError(e: { code?: string; name?: string } | undefined): boolean {
  return e !== undefined && e.name !== 'AbortError' && e.code !== undefined && NOT_SENT_ERROR_CODES.has(e.code);
}

/**
 * True for requests that change nothing, which may be sent again freely: GET, HEAD, OPTIONS,
 * and ARM's POST actions named list* (listKeys, listAuthKeys, listMonitoringData).
 */
export function isIdempotentRequest(method: string, url: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return true;
  if (m !== 'POST') return false;
  let action: string;
  try {
    action = new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
  } catch {
    return false;
  }
  return /^list/i.test(action);
}

/**
 * A failure after which a request that changes something may or may not have taken effect: a
 * 5xx or 408 answer, a timeout or a connection dropped after the request went out. (A 429,
 * another 4xx, or a connection that never opened means it did not.)
 */
export function isAmbiguousFailure(e: unknown): boolean {
  const err = e as { name?: string; code?: string; statusCode?: number; response?: { status?: number } } | undefined;
  if (!err || err.name === 'AbortError') return false;
  const status = err.statusCode ?? err.response?.status;
  if (status !== undefined) return status === 408 || (status >= 500 && status !== 501 && status !== 505);
  return isTransientError(err) && !isNotSentError(err);
}

/**
 * `idempotent` false: the strategy for requests that change something, which retries only
 * what certainly was not acted on (a 429, a connection that never opened).
 */
export function armRetryStrategy(options: RetryOptions = {}, idempotent = true): RetryStrategy {
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  const cap = options.maxRetryAfterMs ?? 120_000;
  return {
    name: 'sqlmigArmRetryStrategy',
    retry({ response, responseError, retryCount }) {
      const res: PipelineResponse | undefined = response ?? responseError?.response;
      const error = responseError as { code?: string; name?: string } | undefined;
      const retriable = idempotent
        ? (res ? isRetriableStatus(res.status) : isTransientError(error))
        : (res ? res.status === 429 : isNotSentError(error));
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
  const maxRetries = options.maxRetries ?? 4;
  const reads = retryPolicy([armRetryStrategy(options, true)], { maxRetries });
  const changes = retryPolicy([armRetryStrategy(options, false)], { maxRetries });
  return {
    name: ARM_RETRY_POLICY,
    sendRequest: (request, next) => (isIdempotentRequest(request.method, request.url) ? reads : changes).sendRequest(request, next),
  };
}
