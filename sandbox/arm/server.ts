/**
 * The ARM emulator's HTTP server: bearer-token check, fault injection, api-version check,
 * JSON in and out, ARM error bodies. What each route does is in the operations (routes.ts).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArmReadThrottle } from '../armThrottle';
import type { Faults } from './faults';
import { ArmError, checkApiVersion, errorBody, type ArmRequest, type ArmResponse } from './http';
import type { Router } from './router';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions<C> {
  /** The ARM operations. */
  armRoutes: Router<C>;
  /** The routes under `/_sandbox/`: never faulted, and those with `auth: 'authKey'` need no bearer token. */
  sandboxRoutes: Router<C>;
  faults: Faults;
  /** ARM's read bucket per subscription and principal: every answer says what is left; an empty one answers 429. */
  readThrottle?: ArmReadThrottle;
  accessToken: string;
  host: string;
  port: number;
  /** Told about failures the emulator did not mean (bugs), never about secrets. */
  onInternalError?: (e: unknown) => void;
}

export interface RunningServer {
  server: Server;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ArmError(413, 'RequestEntityTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, r: ArmResponse, requestId: string): void {
  const headers: Record<string, string> = { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId, ...r.headers };
  if (r.body === undefined) {
    res.writeHead(r.status, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function fail(e: ArmError): ArmResponse {
  return { status: e.status, body: errorBody(e.code, e.message), headers: e.headers };
}

export async function startServer<C>(o: ServerOptions<C>): Promise<RunningServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sandbox');
    } catch {
      send(res, fail(new ArmError(400, 'InvalidUri', 'The request URI is not valid.')), requestId);
      return;
    }
    const auth = req.headers.authorization ?? '';
    const authorized = /^Bearer /i.test(auth) && sameSecret(auth.slice(7).trim(), o.accessToken);
    let fault: ReturnType<Faults['take']>;
    /** dropAfterAccept: whatever the request did stays done; its answer never leaves. */
    const answer = (r: ArmResponse) => (fault?.kind === 'dropAfterAccept' ? void req.socket.destroy() : send(res, r, requestId));
    try {
      const isSandboxRoute = url.pathname.toLowerCase().startsWith('/_sandbox/');
      if (!isSandboxRoute) {
        fault = o.faults.take(method, url.pathname);
        if (fault?.kind === 'drop') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault?.delayMs ?? 1000));
        if (fault?.kind === 'throttle') {
          const after = String(fault.retryAfterSeconds ?? 1);
          throw new ArmError(429, 'TooManyRequests', `The request was throttled. Retry after ${after} seconds.`, { 'retry-after': after });
        }
        if (fault?.kind === 'error') {
          throw new ArmError(fault.status ?? 500, fault.code ?? 'InternalServerError', fault.message ?? 'The server encountered an internal error (injected fault).');
        }
      }
      const body = await readBody(req);
      const armReq: ArmRequest = { method, url, headers: req.headers, body, params: {} };
      if (isSandboxRoute) {
        const m = o.sandboxRoutes.match(method, url.pathname);
        const found = m && 'run' in m ? m : undefined;
        // Only the token holder learns which admin routes exist.
        if ((!found || found.operation.route.auth === 'bearer') && !authorized) {
          throw new ArmError(401, 'AuthenticationFailed', 'The sandbox admin routes need the sandbox bearer token.');
        }
        if (!found) throw new ArmError(404, 'NotFound', `No sandbox route ${method} ${url.pathname}.`);
        armReq.params = found.params;
        send(res, await found.run(armReq), requestId);
        return;
      }
      if (!auth) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      if (!authorized) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      // Counted like ARM counts them: every read under a subscription, before it runs.
      const verdict = o.readThrottle?.admit({ method, path: url.pathname, authorization: auth });
      if (verdict?.kind === 'throttled') throw new ArmError(verdict.status, verdict.code, verdict.message, verdict.headers);
      const limitHeaders = verdict?.kind === 'allowed' ? verdict.headers : undefined;
      const m = o.armRoutes.match(method, url.pathname);
      if (!m) throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
      if ('methodNotAllowed' in m) throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      const { apiVersions } = m.operation.route;
      if (apiVersions) checkApiVersion(url, apiVersions);
      armReq.params = m.params;
      const r = await m.run(armReq);
      answer(limitHeaders ? { ...r, headers: { ...r.headers, ...limitHeaders } } : r);
    } catch (e) {
      if (e instanceof ArmError) {
        answer(fail(e));
        return;
      }
      o.onInternalError?.(e);
      send(res, fail(new ArmError(500, 'InternalServerError', `The sandbox failed to process the request: ${(e as Error)?.message ?? String(e)}`)), requestId);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      o.onInternalError?.(e);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    port,
    baseUrl: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
