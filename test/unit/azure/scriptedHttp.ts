/**
 * An HttpClient for the Azure SDK pipeline that answers from a script of routes (the service's
 * documented example responses) and records every request. It stands in for the network, not
 * for our clients: the whole pipeline (signing, retries, LRO polling, paging) runs for real.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { AZURE_PUBLIC, staticTokenCredential, type AzureContext } from '../../../src/core/azure';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (req: Recorded) => Reply | Error | undefined;

export class ScriptedHttp implements HttpClient {
  readonly requests: Recorded[] = [];
  private readonly routes: { method: string; path: RegExp; replies: (Reply | Error | Handler)[] }[] = [];

  /** Answers `method path` with the replies in order; the last one repeats. */
  on(method: string, path: RegExp, ...replies: (Reply | Error | Handler)[]): this {
    this.routes.push({ method, path, replies });
    return this;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const rec: Recorded = {
      method: request.method,
      url,
      headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
      body: typeof request.body === 'string' ? JSON.parse(request.body) : request.body,
    };
    this.requests.push(rec);
    if (request.abortSignal?.aborted) throw Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    const route = this.routes.find((r) => r.method === request.method && r.path.test(url.pathname));
    let reply: Reply | Error | Handler | undefined = route ? (route.replies.length > 1 ? route.replies.shift() : route.replies[0]) : undefined;
    if (typeof reply === 'function') reply = reply(rec);
    if (reply instanceof Error) throw reply;
    const r = reply ?? { status: 404, body: { error: { code: 'ResourceNotFound', message: `no route for ${request.method} ${url.pathname}` } } };
    const headers = createHttpHeaders({ 'content-type': 'application/json', ...(r.headers ?? {}) });
    return { request, status: r.status, headers, ...(r.body !== undefined && { bodyAsText: JSON.stringify(r.body) }) };
  }

  paths(): string[] {
    return this.requests.map((r) => `${r.method} ${r.url.pathname}`);
  }
}

export function testContext(http: ScriptedHttp, cloud = AZURE_PUBLIC): AzureContext {
  return {
    cloud,
    credential: staticTokenCredential('test-token-not-secret'),
    httpClient: http,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 },
  };
}

const SPECS = resolve(__dirname, '../../../../shared/reference/specs/specification/datamigration/resource-manager/Microsoft.DataMigration/DataMigration');
export const HAVE_SPECS = existsSync(SPECS);
export const specsOnly = HAVE_SPECS ? {} : { skip: `the OpenAPI examples were not found at ${SPECS} (they ship in ../shared beside the project)` };

/** An example from the official OpenAPI document (2025-09-01-preview). */
export function example(name: string): { parameters: Record<string, unknown>; responses: Record<string, { body?: unknown; headers?: Record<string, string> }> } {
  for (const dir of ['preview/2025-09-01-preview/examples', 'examples/2025-09-01-preview']) {
    const p = resolve(SPECS, dir, name);
    if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8'));
  }
  throw new Error(`no example ${name}`);
}
