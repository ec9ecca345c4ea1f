/**
 * A loopback proxy in front of the sandbox's ARM endpoint for the scale tests: it counts what the
 * CLI sends (list pages, migration reads, the rest) and throttles reads as ARM does, with the
 * sandbox's token bucket and its remaining-reads header (sandbox/armThrottle.ts, real time), so
 * a test sees whether a command keeps within the budget. Absolute URLs in answers (nextLink,
 * Azure-AsyncOperation) point back at the proxy; `cloudFile` is the sandbox's with the proxy as
 * the ARM endpoint.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ArmReadThrottle } from '../../../sandbox/armThrottle';
import type { Sandbox } from '../../../sandbox/sandbox';

export interface ArmCounter {
  cloudFile: string;
  counts: { pages: number; migrationGets: number; otherReads: number; writes: number; throttled: number };
  throttle: ArmReadThrottle;
  close(): Promise<void>;
}

export async function armCounter(sb: Sandbox, name = 'counted'): Promise<ArmCounter> {
  const upstream = new URL(sb.info.armEndpoint).origin;
  const throttle = new ArmReadThrottle();
  const counts = { pages: 0, migrationGets: 0, otherReads: 0, writes: 0, throttled: 0 };
  let self = '';
  const toSelf = (text: string) => text.split(upstream).join(self);

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const path = new URL(req.url ?? '/', self).pathname;
      if (method !== 'GET' && method !== 'HEAD') counts.writes++;
      else if (/\/listMigrations$/i.test(path)) counts.pages++;
      else if (/\/databaseMigrations\/[^/]+$/i.test(path)) counts.migrationGets++;
      else counts.otherReads++;
      const verdict = throttle.admit({ method, path, ...(req.headers.authorization && { authorization: req.headers.authorization }) });
      if (verdict.kind === 'throttled') {
        counts.throttled++;
        res.writeHead(429, { ...verdict.headers, 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: verdict.code, message: verdict.message } }));
        return;
      }
      const added = verdict.kind === 'allowed' ? verdict.headers : {};
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
      fetch(`${upstream}${req.url}`, { method, headers, ...(chunks.length && { body: Buffer.concat(chunks) }) }).then(
        async (r) => {
          const body = toSelf(await r.text());
          const out: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (!['content-length', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) out[k] = toSelf(v);
          });
          res.writeHead(r.status, { ...out, ...added }).end(body);
        },
        (e) => res.writeHead(502).end(String(e)),
      );
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cloudFile = join(sb.dataDir, `${name}-cloud.json`);
  writeFileSync(cloudFile, toSelf(readFileSync(sb.info.cloudFile, 'utf8')), { mode: 0o600 });
  return {
    cloudFile,
    counts,
    throttle,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
