/**
 * ARM's wire conventions for the emulator: api-version checks, the `{error:{code,message}}`
 * body, and `nextLink` paging with absolute URLs. Routes and their matching are in router.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';

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

/** Which api-versions a provider's routes accept: its documented ones and those the official clients send. */
export const API_VERSIONS = {
  resources: ['2025-04-01', '2024-11-01', '2024-03-01', '2022-09-01', '2021-04-01'],
  subscriptions: ['2022-12-01', '2021-01-01', '2020-01-01', '2016-06-01'],
  // arm-sql 10 sends 2022-08-01-preview (instances) and 2022-05-01-preview (databases); ADS used 2021-11-01-preview.
  sql: ['2025-01-01', '2023-08-01', '2022-08-01-preview', '2022-05-01-preview', '2021-11-01-preview', '2021-11-01'],
  // arm-storage 20 sends 2025-08-01; the copied specs are 2025-01-01.
  storage: ['2025-08-01', '2025-06-01', '2025-01-01', '2023-05-01', '2023-01-01', '2022-09-01', '2019-06-01'],
  datamigration: ['2025-09-01-preview', '2025-06-30'],
} as const;

/**
 * The api-version of a request. Poll URLs may carry it twice (the SDK appends its own); the
 * values must then agree with an accepted one.
 */
export function checkApiVersion(url: URL, accepted: readonly string[]): string {
  const values = url.searchParams.getAll('api-version');
  if (values.length === 0) {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
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

/** The api-version the request was served with (checked by the server before any handler runs). */
export function apiVersionOf(req: ArmRequest): string {
  return req.url.searchParams.get('api-version')!;
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
