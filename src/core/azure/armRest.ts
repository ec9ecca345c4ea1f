/**
 * The plumbing of a thin typed ARM client on @azure-rest/core-client and @azure/core-lro, for
 * resource providers with no SDK (the Database Migration Service; see dms/client.ts) or whose
 * SDK does not fit (the Log Replay Service's managed-database operations; see lrs/client.ts):
 * one api-version per client, long-running operations that follow Azure-AsyncOperation (or
 * Location) with the service's own error code when they fail, lists that follow nextLink,
 * follow-up URLs kept on the cloud's ARM origin (the bearer token is never sent anywhere else),
 * and every secret a call carries cut out of its errors.
 *
 * A change is never sent twice on a doubt: the pipeline retries only what certainly was not
 * acted on (retry.ts), and when the answer to a change is lost (a 5xx, a timeout, a connection
 * dropped after the request went out) the client reads the resource again and reports what
 * happened: done when the change shows, still running (followed), failed with the service's
 * words, or, after a second read, not applied with the original error.
 *
 * Both clients extend ArmRestClient: a subclass holds the paths and, for each change, how to
 * tell from a re-read whether it took effect (a Recheck); the requests, polls and errors are here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRestError, getClient, type Client, type HttpResponse } from '@azure-rest/core-client';
import { createHttpPoller, type OperationResponse, type RunningOperation } from '@azure/core-lro';
import { isLoopback } from './cloud';
import { prepareArmPipeline, sdkClientOptions, type AzureContext } from './context';
import { AzureError, hintFor, toAzureError } from './errors';
import { isAmbiguousFailure, retryAfterMs } from './retry';

export interface ArmCallOptions {
  signal?: AbortSignal;
  /** Passwords, keys and tokens this call carries: cut out of any error message (the service may echo them). */
  secrets?: readonly string[];
}

export interface ArmLroOptions extends ArmCallOptions {
  /** Longest wait between polls when the service sends no Retry-After (default 2 s); the first polls come sooner. */
  pollIntervalMs?: number;
  /**
   * Each status seen while the operation runs (InProgress, Succeeded...), or, when its answer was
   * lost, the resource's status as read again (Completing, Deleting...).
   */
  onPoll?: (status: string) => void;
}

export interface ArmRestClientOptions {
  /** See ArmLroOptions.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Safety net for a service that keeps handing out nextLinks. */
  maxPages?: number;
  /** Secrets cut out of every error this client throws, in addition to each call's. */
  secrets?: readonly string[];
}

/**
 * What a re-read shows about a change whose answer was lost: done (the value to return), still
 * running (the status to report), ended badly, or not there (`state` says what is there
 * instead, as a sentence for the user).
 */
export type Verdict<T> =
  | { kind: 'done'; value: T }
  | { kind: 'running'; status: string }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'notApplied'; state: string };

/** How to find out, by reading the resource again, whether a change took effect. */
export interface Recheck<R, T> {
  /** Reads the resource; a 404 is undefined. */
  read(signal?: AbortSignal): Promise<R | undefined>;
  judge(read: R | undefined): Verdict<T>;
  /** What the user should check when even the re-read fails. */
  check: string;
}

/** The first wait between polls of a long-running operation; it doubles up to the poll interval. */
const FIRST_POLL_MS = 250;
/** A service may show an accepted change a moment after answering: reads before saying it did not take effect. */
const NOT_APPLIED_READS = 2;

function sameOrigin(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  // The sandbox may answer as localhost or 127.0.0.1: both are this machine.
  return a.hostname === b.hostname || (isLoopback(a.href) && isLoopback(b.href));
}

function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

/** "ECONNRESET: socket hang up" or "ServiceUnavailable (HTTP 503): ...", for a sentence. */
export function errorText(e: AzureError): string {
  return `${e.code}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.serviceMessage}`;
}

export abstract class ArmRestClient {
  protected readonly client: Client;
  private readonly origin: URL;
  private readonly pollIntervalMs: number;
  private readonly maxPages: number;
  /** Cut out of every error: the client's own secrets and those its calls have read (remember). */
  private readonly secrets = new Set<string>();

  protected constructor(ctx: AzureContext, apiVersion: string, options: ArmRestClientOptions = {}) {
    this.client = getClient(ctx.cloud.armEndpoint, ctx.credential, { ...sdkClientOptions(ctx), apiVersion });
    prepareArmPipeline(this.client.pipeline, ctx);
    this.origin = new URL(ctx.cloud.armEndpoint);
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxPages = options.maxPages ?? 10_000;
    this.remember(...(options.secrets ?? []));
  }

  protected remember(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  /** The AzureError to throw for `e`, with every secret the client knows (and the call's) cut out. */
  protected fail(e: unknown, action: string, secrets: readonly string[] = []): Error {
    return toAzureError(e, action, [...this.secrets, ...secrets]);
  }

  /** A GET whose 404 is an answer (the resource is gone), not a failure. */
  protected async readOrAbsent<T>(send: () => PromiseLike<HttpResponse>): Promise<T | undefined> {
    const res = await send();
    if (res.status === '404') return undefined;
    if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
    return res.body as T;
  }

  protected checkFollowUrl(url: string, what: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AzureError({ code: 'InvalidResponse', serviceMessage: `the service returned a ${what} that is not a URL: ${url}` });
    }
    if (!sameOrigin(parsed, this.origin)) {
      throw new AzureError({
        code: 'InvalidResponse',
        serviceMessage: `the service returned a ${what} on ${parsed.origin}, not on ${this.origin.origin}; it is not followed (the sign-in token stays with the cloud's own endpoint)`,
      });
    }
  }

  /** One request's body; an answer other than 2xx throws as it came (for the caller to judge, then fail). */
  protected async request<T>(o: ArmCallOptions, send: () => PromiseLike<HttpResponse>): Promise<T> {
    o.signal?.throwIfAborted();
    const res = await send();
    if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
    return res.body as T;
  }

  /** One request; with `recheck`, a lost answer is found out by reading the resource. */
  protected async call<T, R = unknown>(action: string, o: ArmCallOptions, send: () => PromiseLike<HttpResponse>, recheck?: Recheck<R, T>): Promise<T> {
    try {
      return await this.request<T>(o, send);
    } catch (e) {
      if (recheck && isAmbiguousFailure(e)) return this.recheck(action, o, e, recheck);
      throw this.fail(e, action, o.secrets);
    }
  }

  /** Every page of a list; `onPage` sees each as it arrives. */
  protected async pages<T>(action: string, o: ArmCallOptions & { onPage?: (page: T[]) => void }, first: () => PromiseLike<HttpResponse>): Promise<T[]> {
    try {
      const out: T[] = [];
      let res = await first();
      const seen = new Set<string>();
      for (let page = 0; ; page++) {
        if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
        const body = (res.body ?? {}) as { value?: T[]; nextLink?: string };
        if (body.value !== undefined && !Array.isArray(body.value)) {
          throw new AzureError({ code: 'InvalidResponse', serviceMessage: `page ${page + 1} of the list has no "value" array` });
        }
        out.push(...(body.value ?? []));
        o.onPage?.(body.value ?? []);
        const next = body.nextLink;
        if (!next) return out;
        if (seen.has(next) || page + 1 >= this.maxPages) {
          throw new AzureError({ code: 'InvalidResponse', serviceMessage: `the service kept returning more pages (${page + 1} so far, nextLink repeating or endless)` });
        }
        seen.add(next);
        this.checkFollowUrl(next, 'nextLink');
        o.signal?.throwIfAborted();
        res = await this.client.pathUnchecked(next).get({ abortSignal: o.signal });
      }
    } catch (e) {
      throw this.fail(e, action, o.secrets);
    }
  }

  /**
   * Sends the initial request and polls Azure-AsyncOperation (or Location) until the operation
   * ends; a Failed or Canceled operation rejects with the service's own code and message. When
   * an answer is lost on the way (the request's or a poll's), `recheck` finds out what happened.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected async lro<T>(action: string, o: ArmLroOptions, send: () => PromiseLike<HttpResponse>, recheck: Recheck<any, T>): Promise<T> {
    let lastPollBody: unknown;
    /** What the service last asked us to wait (Retry-After), if anything. */
    let askedMs: number | undefined;
    const toOperation = (res: HttpResponse): OperationResponse<unknown> => {
      if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
      const headers = lowerHeaders(res.headers);
      const asked = retryAfterMs({ get: (name) => headers[name] });
      askedMs = asked ? asked : undefined; // 0 asks for nothing
      return {
        flatResponse: res.body,
        rawResponse: { statusCode: Number(res.status), request: { method: res.request.method, url: res.request.url }, headers, body: res.body },
      };
    };
    const operation: RunningOperation<unknown> = {
      sendInitialRequest: async () => {
        const r = toOperation(await send());
        for (const h of ['azure-asyncoperation', 'operation-location', 'location']) {
          const url = r.rawResponse.headers[h];
          if (url) this.checkFollowUrl(url, `${h} header`);
        }
        return r;
      },
      sendPollRequest: async (path) => {
        this.checkFollowUrl(path, 'polling URL');
        const r = toOperation(await this.client.pathUnchecked(path).get({ abortSignal: o.signal }));
        lastPollBody = r.rawResponse.body;
        const status = (r.rawResponse.body as { status?: unknown } | undefined)?.status;
        if (typeof status === 'string') o.onPoll?.(status);
        return r;
      },
    };
    try {
      o.signal?.throwIfAborted();
      const poller = createHttpPoller(operation, { resolveOnUnsuccessful: true });
      // Polls soon, then less often: a quick operation ends in a fraction of a second, a long one
      // costs a poll per interval. The service's Retry-After, when it sends one, decides instead.
      const longest = o.pollIntervalMs ?? this.pollIntervalMs;
      for (let wait = Math.min(FIRST_POLL_MS, longest); ; wait = Math.min(wait * 2, longest)) {
        await poller.poll({ abortSignal: o.signal });
        if (poller.isDone) break;
        await sleep(askedMs ?? wait, undefined, o.signal ? { signal: o.signal } : {});
      }
      const state = poller.operationState;
      if (state?.status === 'failed' || state?.status === 'canceled') {
        const err = (lastPollBody as { error?: { code?: string; message?: string } } | undefined)?.error ?? {};
        const fromState = (state.error as Error | undefined)?.message;
        const code = err.code ?? (state.status === 'canceled' ? 'OperationCanceled' : 'OperationFailed');
        const hint = hintFor(code);
        throw new AzureError({ action, code, serviceMessage: err.message ?? fromState ?? `the operation ended ${state.status}`, ...(hint && { hint }) });
      }
      return poller.result as T;
    } catch (e) {
      if (isAmbiguousFailure(e)) return this.recheck(action, o, e, recheck);
      throw this.fail(e, action, o.secrets);
    }
  }

  /**
   * The answer to a change was lost after the request went out: reads the resource until it
   * shows the change done, ended, or (after NOT_APPLIED_READS reads) not there. Only then is the
   * original error reported, with what the resource shows.
   */
  protected async recheck<R, T>(action: string, o: ArmLroOptions, lost: unknown, recheck: Recheck<R, T>): Promise<T> {
    const original = this.fail(lost, action, o.secrets);
    if (!(original instanceof AzureError)) throw original;
    const longest = o.pollIntervalMs ?? this.pollIntervalMs;
    let notApplied = 0;
    for (let wait = Math.min(FIRST_POLL_MS, longest); ; wait = Math.min(wait * 2, longest)) {
      let read: R | undefined;
      try {
        o.signal?.throwIfAborted();
        read = await recheck.read(o.signal);
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        const again = this.fail(e, action, o.secrets);
        throw this.fail(new AzureError({
          action,
          code: 'OutcomeUnknown',
          serviceMessage: `the answer was lost (${errorText(original)}) and reading it again failed too (${again instanceof AzureError ? errorText(again) : again.message}): it may or may not have taken effect`,
          hint: recheck.check,
        }), action, o.secrets);
      }
      const verdict = recheck.judge(read);
      switch (verdict.kind) {
        case 'done':
          return verdict.value;
        case 'failed': {
          const hint = hintFor(verdict.code);
          throw this.fail(new AzureError({ action, code: verdict.code, serviceMessage: verdict.message, ...(hint && { hint }) }), action, o.secrets);
        }
        case 'running':
          o.onPoll?.(verdict.status);
          break;
        case 'notApplied':
          if (++notApplied >= NOT_APPLIED_READS) {
            throw this.fail(new AzureError({
              action,
              code: original.code,
              serviceMessage: original.serviceMessage,
              ...(original.statusCode !== undefined && { statusCode: original.statusCode }),
              hint: [original.hint, `Read again, ${verdict.state}.`].filter(Boolean).join('\n'),
            }), action, o.secrets);
          }
          break;
      }
      await sleep(wait, undefined, o.signal ? { signal: o.signal } : {});
    }
  }
}
