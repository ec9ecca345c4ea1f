/**
 * The ARM emulator's HTTP server: bearer-token check, fault injection, api-version check,
 * JSON in and out, ARM error bodies. Routes come from the provider modules.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Faults } from './faults';
import { ArmError, checkApiVersion, errorBody, type ArmRequest, type ArmResponse, type Router } from './http';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  router: Router;
  faults: Faults;
  accessToken: string;
  host: string;
  port: number;
  /** Extra handlers for `/_sandbox/...` (admin and integration-runtime routes); they do their own auth. */
  sandboxRoutes: (req: ArmRequest, authorized: boolean) => Promise<ArmResponse | undefined>;
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

export async function startServer(o: ServerOptions): Promise<RunningServer> {
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
        const r = await o.sandboxRoutes(armReq, authorized);
        send(res, r ?? fail(new ArmError(404, 'NotFound', `No sandbox route ${method} ${url.pathname}.`)), requestId);
        return;
      }
      if (!auth) throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      if (!authorized) throw new ArmError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      const m = o.router.match(method, url.pathname);
      if (!m) throw new ArmError(404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
      if ('methodNotAllowed' in m) throw new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);
      if (m.route.provider) checkApiVersion(url, m.route.provider);
      armReq.params = m.params;
      answer(await m.route.handler(armReq));
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
