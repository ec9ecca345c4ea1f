/**
 * A loopback proxy in front of the sandbox's ARM emulator that counts every request the editor
 * sends (by kind: list pages, migration reads, the rest) and throttles reads as ARM does, with
 * the sandbox's token bucket (sandbox/armThrottle.ts: 250 reads per subscription and principal,
 * refilling 25 per second of real time) and its `x-ms-ratelimit-remaining-subscription-reads`
 * header. Absolute URLs in answers (nextLink, Azure-AsyncOperation) are rewritten to the proxy,
 * so the client's follow-up requests come through it too.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmReadThrottle } from '../../sandbox/armThrottle';

export interface ProxyCounts {
  /** listMigrations pages. */
  pages: number;
  /** GETs of one database migration (details). */
  migrationGets: number;
  /** Pages of a managed instance's databases: the Log Replay Service restores the view follows. */
  restorePages: number;
  /** Everything else (subscriptions, services, instances, operations...). */
  other: number;
  /** Reads answered 429 by the throttle. */
  throttled: number;
}

export interface ArmProxy {
  url: string;
  counts: ProxyCounts;
  /** When the last request arrived (ms since epoch). */
  lastRequestAt: number;
  throttle: ArmReadThrottle;
  reset(): void;
  close(): Promise<void>;
}

export async function startArmProxy(target: string): Promise<ArmProxy> {
  const upstream = new URL(target);
  const throttle = new ArmReadThrottle();
  const counts: ProxyCounts = { pages: 0, migrationGets: 0, restorePages: 0, other: 0, throttled: 0 };
  let self = '';
  const state = { lastRequestAt: 0 };
  const rewrite = (text: string) => text.split(upstream.origin).join(self).split(upstream.origin.replace('127.0.0.1', 'localhost')).join(self);

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.lastRequestAt = Date.now();
    const path = new URL(req.url ?? '/', self).pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && /\/listMigrations$/i.test(path)) counts.pages++;
    else if (method === 'GET' && /\/databaseMigrations\/[^/]+$/i.test(path)) counts.migrationGets++;
    else if (method === 'GET' && /\/managedInstances\/[^/]+\/databases$/i.test(path)) counts.restorePages++;
    else counts.other++;
    const verdict = throttle.admit({ method, path, ...(req.headers.authorization && { authorization: req.headers.authorization }) });
    if (verdict.kind === 'throttled') {
      counts.throttled++;
      const body = JSON.stringify({ error: { code: verdict.code, message: verdict.message } });
      res.writeHead(429, { ...verdict.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = httpRequest(
        { host: upstream.hostname, port: upstream.port, method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const body = Buffer.from(rewrite(Buffer.concat(parts).toString('utf8')));
            const headers: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding') headers[k] = typeof v === 'string' ? rewrite(v) : v;
            if (verdict.kind === 'allowed') Object.assign(headers, verdict.headers);
            res.writeHead(up.statusCode ?? 502, { ...headers, 'content-length': String(body.length) }).end(body);
          });
        },
      );
      out.on('error', (e) => {
        if (!res.headersSent) res.writeHead(502).end(String(e));
      });
      out.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: self,
    counts,
    get lastRequestAt() {
      return state.lastRequestAt;
    },
    throttle,
    reset() {
      counts.pages = counts.migrationGets = counts.restorePages = counts.other = counts.throttled = 0;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
