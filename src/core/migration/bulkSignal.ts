/**
 * One abort signal for a bulk operation's requests. The HTTP client adds an abort listener to
 * the signal of every request in flight (and removes it when the answer is in), so 25 cutovers
 * at once on the caller's signal put 25 listeners on it and Node warns of a leak
 * (MaxListenersExceededWarning) although none leaks. The operation's requests share a signal of
 * their own instead, linked to the caller's by one listener, whose limit is what the operation
 * may legitimately hold at once: a leak past that still warns.
 */
import { setMaxListeners } from 'node:events';

export interface BulkSignal {
  signal: AbortSignal;
  /** Unlinks it from the caller's signal (call once the operation ends). */
  done(): void;
}

/** Per piece of work in flight: its request and one wait (a poll's sleep, a budget's pause). */
const LISTENERS_PER_WORKER = 2;
/** The operation's own waits (the end watch's poll) and the client's. */
const SPARE_LISTENERS = 10;

export function bulkSignal(parent: AbortSignal | undefined, workers: number): BulkSignal {
  const controller = new AbortController();
  setMaxListeners(LISTENERS_PER_WORKER * Math.max(1, workers) + SPARE_LISTENERS, controller.signal);
  if (!parent) return { signal: controller.signal, done: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, done: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, done: () => parent.removeEventListener('abort', onAbort) };
}
