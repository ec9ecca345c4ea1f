/**
 * ARM's wire conventions for the emulator: case-insensitive routes, api-version checks per
 * resource provider, the `{error:{code,message}}` body, and `nextLink` paging with absolute URLs.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { withRetryAfter } from './operations';

/** An ARM error: answered as `{ error: { code, message } }` with this status. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (type: string, name: string, resourceGroup?: string) =>
  new ArmError(
    404,
    'ResourceNotFound',
    resourceGroup
      ? `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found.`
      : `The Resource '${type}/${name}' was not found.`,
  );

export const badRequest = (code: string, message: string) => new ArmError(400, code, message);

export interface ArmRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  params: Record<string, string>;
}

export interface ArmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: ArmRequest) => ArmResponse | Promise<ArmResponse>;

/** Which api-versions a route accepts: the provider's documented ones and those the official clients send. */
export const API_VERSIONS = {
  resources: ['2025-04-01', '2024-11-01', '2024-03-01', '2022-09-01', '2021-04-01'],
  subscriptions: ['2022-12-01', '2021-01-01', '2020-01-01', '2016-06-01'],
  // arm-sql 10 sends 2022-08-01-preview (instances) and 2022-05-01-preview (databases); ADS used 2021-11-01-preview.
  sql: ['2025-01-01', '2023-08-01', '2022-08-01-preview', '2022-05-01-preview', '2021-11-01-preview', '2021-11-01'],
  // arm-storage 20 sends 2025-08-01; the copied specs are 2025-01-01.
  storage: ['2025-08-01', '2025-06-01', '2025-01-01', '2023-05-01', '2023-01-01', '2022-09-01', '2019-06-01'],
  datamigration: ['2025-09-01-preview', '2025-06-30'],
} as const;

export type Provider = keyof typeof API_VERSIONS;

interface Route {
  method: string;
  segments: string[];
  provider: Provider | null;
  handler: Handler;
}

/**
 * Routes like `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}`, matched
 * without regard to case. Every answer of a long-running operation gets its Retry-After here.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, provider: Provider | null, handler: Handler): void {
    const answer: Handler = async (req) => withRetryAfter(await handler(req));
    this.routes.push({ method, segments: split(pattern).map((s) => (s.startsWith('{') ? s : s.toLowerCase())), provider, handler: answer });
  }

  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
    const parts = split(pathname);
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = route.segments[i]!;
        if (seg.startsWith('{')) params[seg.slice(1, -1)] = parts[i]!;
        else ok = seg === parts[i]!.toLowerCase();
      }
      if (!ok) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  }
}

function split(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/**
 * The api-version of a request. Poll URLs may carry it twice (the SDK appends its own); the
 * values must then agree with an accepted one.
 */
export function checkApiVersion(url: URL, provider: Provider): string {
  const values = url.searchParams.getAll('api-version');
  if (values.length === 0) {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const accepted: readonly string[] = API_VERSIONS[provider];
  for (const v of values) {
    if (!accepted.includes(v)) {
      throw new ArmError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${v}' is invalid. The supported versions are '${accepted.join(',')}'.`,
      );
    }
  }
  return values[0]!;
}

/**
 * One page of `items` and, when more remain, an absolute `nextLink` carrying `$skiptoken`.
 * `map` turns only the page's items into JSON.
 */
export function page<T, J = T>(req: ArmRequest, items: readonly T[], pageSize: number, baseUrl: string, map?: (item: T) => J): { value: J[]; nextLink?: string } {
  const token = req.url.searchParams.get('$skiptoken');
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0) throw badRequest('InvalidSkipToken', `The $skiptoken '${token}' is not valid.`);
  const end = start + pageSize;
  const slice = items.slice(start, end);
  const result: { value: J[]; nextLink?: string } = { value: map ? slice.map(map) : (slice as unknown as J[]) };
  if (end < items.length) {
    const next = new URL(req.url.pathname + req.url.search, baseUrl);
    next.searchParams.set('$skiptoken', String(end));
    result.nextLink = next.toString();
  }
  return result;
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** An object body, or a 400 naming what is wrong. */
export function objectBody(req: ArmRequest, what = 'The request body'): Record<string, unknown> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw badRequest('InvalidRequestContent', `${what} must be a JSON object.`);
  return b as Record<string, unknown>;
}
